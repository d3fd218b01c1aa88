using System.Security.Cryptography;
using System.Text;
using Cognive.ApiService.Authentication;
using Cognive.Data.Users;
using Microsoft.Extensions.Options;

namespace Cognive.ApiService.Users;

/// <summary>
/// An e-mail may belong to people of several teams (registering never says whether an address is in use elsewhere), so
/// a login must find whose password it holds while checking one slow hash only, or its duration would count them. The
/// selector, an HMAC of e-mail and password under a key derived from the JWT signing key (outside the database), says
/// which. A database copy alone gives no faster guessing than the PBKDF2 hashes beside it.
/// </summary>
public sealed class LoginSelectors(JwtSettings jwt, IOptions<SignInSettings> settings)
{
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, jwt.SigningKey.Key, 32,
        info: Encoding.UTF8.GetBytes("cognive login selector"));

    private readonly int _iterations = settings.Value.PasswordIterations;

    /// <summary>Verified against when no user has the e-mail, so that a wrong e-mail takes as long as a wrong password.</summary>
    public string DecoyHash => field ??= PasswordHasher.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), _iterations);

    /// <summary>Length-prefixed, so no e-mail and password pair reads as another.</summary>
    public byte[] Of(string email, string password) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{email.Length}:{email}{password}"));

    public void SetPassword(User user, string password)
    {
        user.PasswordHash = PasswordHasher.Hash(password, _iterations);
        user.LoginSelector = Of(user.Email, password);
    }

    /// <summary>
    /// The one account the login checks: the one whose selector matches, else the oldest with the e-mail (accounts from
    /// before selectors, or after the signing key changed, whose selector the next successful login renews).
    /// </summary>
    public User? Pick(IReadOnlyList<User> byAge, byte[] selector) =>
        byAge.FirstOrDefault(u => u.LoginSelector is { } own && CryptographicOperations.FixedTimeEquals(own, selector)) ?? byAge.FirstOrDefault();
}
