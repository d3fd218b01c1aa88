using System.Security.Cryptography;
using System.Text;

namespace Cognive.Data.ApiKeys;

/// <summary>
/// The format of an API key: <c>cgv_{prefix}_{secret}</c>. The prefix (12 characters) is stored in clear to find the
/// key; the secret (32 random characters, ~190 bits) only as its SHA-256 hash, compared in constant time.
/// </summary>
public readonly record struct ApiKeyToken(string Prefix, string Secret)
{
    public const string Scheme = "cgv_";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const int PrefixLength = 12;
    private const int SecretLength = 32;

    public static ApiKeyToken Generate() => new(
        RandomNumberGenerator.GetString(Alphabet, PrefixLength),
        RandomNumberGenerator.GetString(Alphabet, SecretLength));

    public static bool TryParse(string? text, out ApiKeyToken token)
    {
        token = default;
        if (text is null || text.Length != Scheme.Length + PrefixLength + 1 + SecretLength ||
            !text.StartsWith(Scheme, StringComparison.Ordinal) || text[Scheme.Length + PrefixLength] != '_')
        {
            return false;
        }

        token = new(text.Substring(Scheme.Length, PrefixLength), text[(Scheme.Length + PrefixLength + 1)..]);
        return true;
    }

    public byte[] SecretHash() => SHA256.HashData(Encoding.UTF8.GetBytes(Secret));

    public bool Matches(byte[] storedHash) => CryptographicOperations.FixedTimeEquals(SecretHash(), storedHash);

    public override string ToString() => $"{Scheme}{Prefix}_{Secret}";
}
