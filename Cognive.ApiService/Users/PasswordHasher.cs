using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cognive.ApiService.Users;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a random 16-byte salt and OWASP's 600,000 iterations by default, stored as
/// <c>pbkdf2-sha256$iterations$salt$hash</c> so the cost can rise later without breaking stored hashes.
/// </summary>
public static class PasswordHasher
{
    public const int Iterations = 600_000;
    public const int MinLength = 12;
    public const int MaxLength = 256;
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Why <paramref name="password"/> cannot be a password, or null when it can.</summary>
    public static string? Refusal(string? password, string field) =>
        password is { Length: >= MinLength and <= MaxLength } ? null : $"{field} is {MinLength} to {MaxLength} characters.";

    public static string Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(parts[2]), iterations,
            HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
