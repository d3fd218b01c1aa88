using System.Globalization;
using System.Security.Claims;
using Cognive.ApiService.Authentication;
using Cognive.RateLimits;

namespace Cognive.ApiService.RateLimits;

/// <summary>
/// The API's callers: each API key (its own rate, or the installation's default) and each person; login and refresh,
/// which come before any credential, per client address.
/// </summary>
internal sealed class ApiRateSubjects(IConfiguration configuration) : IRateSubjects
{
    public const string DefaultSetting = "Cognive:RateLimits:DefaultPerMinute";
    public const string SignInSetting = "Cognive:RateLimits:SignInPerMinute";
    private const int DefaultPerMinute = 600_000;
    private const int SignInPerMinute = 300;

    public RateSubject? Of(HttpContext context) =>
        CogniveClaims.RateSubjectOf(context.User) is { } caller ? new RateSubject(caller, LimitOf(context.User)) : SignInSubject(context);

    /// <summary>The caller's requests per minute, as every Cognive service counts them (the queen learns it from <c>/auth/me</c>).</summary>
    public int LimitOf(ClaimsPrincipal user) =>
        int.TryParse(user.FindFirst(CogniveClaims.RateLimit)?.Value, CultureInfo.InvariantCulture, out var own)
            ? own
            : configuration.GetValue(DefaultSetting, DefaultPerMinute);

    /// <summary>
    /// Login and refresh come before any credential: they are counted per client address, which bounds both password
    /// guessing and the CPU the slow password hash can be made to burn.
    /// </summary>
    private RateSubject? SignInSubject(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api/v1/auth")
            ? new RateSubject($"ip:{context.Connection.RemoteIpAddress}", configuration.GetValue(SignInSetting, SignInPerMinute))
            : null;
}
