using System.ComponentModel.DataAnnotations;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// How sign-in resists guessing (<c>Cognive:SignIn:*</c>): after <see cref="FailuresBeforeLock"/> failed logins in a row
/// an account locks for <see cref="FirstLock"/>, doubling with each further failure up to <see cref="MaxLock"/>; an
/// address that signed in to the account within <see cref="KnownAddressLifetime"/> and has not failed on it since
/// still gets in. A login lasts at most <see cref="SessionLifetime"/>, however often it is refreshed. New passwords are
/// hashed with <see cref="PasswordIterations"/>.
/// </summary>
public sealed class SignInSettings
{
    public const string Section = "Cognive:SignIn";

    [Range(1, 1000)]
    public int FailuresBeforeLock { get; set; } = 5;

    public TimeSpan FirstLock { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxLock { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan KnownAddressLifetime { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// PBKDF2 iterations for a new password hash. Each hash keeps the count it was made with, so a change never locks
    /// anyone out. The test suite lowers it: it registers and signs in hundreds of people, and hashing is not what it tests.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int PasswordIterations { get; set; } = Users.PasswordHasher.Iterations;

    public bool IsValid() => FirstLock > TimeSpan.Zero && MaxLock >= FirstLock && KnownAddressLifetime > TimeSpan.Zero
        && SessionLifetime >= JwtSettings.AccessTokenLifetime;
}
