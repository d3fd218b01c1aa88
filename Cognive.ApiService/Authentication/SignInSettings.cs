using System.ComponentModel.DataAnnotations;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// How sign-in resists guessing (<c>Cognive:SignIn:*</c>): after <see cref="FailuresBeforeLock"/> failed logins in a row
/// an account locks for <see cref="FirstLock"/>, doubling with each further failure up to <see cref="MaxLock"/>; an
/// address that signed in to the account within <see cref="KnownAddressLifetime"/> and has not failed on it since
/// still gets in. A login lasts at most <see cref="SessionLifetime"/>, however often it is refreshed.
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

    public bool IsValid() => FirstLock > TimeSpan.Zero && MaxLock >= FirstLock && KnownAddressLifetime > TimeSpan.Zero
        && SessionLifetime >= JwtSettings.AccessTokenLifetime;
}
