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

    // Read once: asked on every request, the configuration takes a lock (seen in the API's profile at 64 agents).
    private readonly int _defaultPerMinute = configuration.GetValue(DefaultSetting, DefaultPerMinute);
    private readonly int _signInPerMinute = configuration.GetValue(SignInSetting, SignInPerMinute);

    public RateSubject? Of(HttpContext context) =>
        IsSignIn(context.Request.Path) ? SignInSubject(context)
        : CogniveClaims.RateSubjectOf(context.User) is { } caller ? new RateSubject(caller, LimitOf(context.User))
        : context.Request.Path.StartsWithSegments("/api/v1/auth") ? SignInSubject(context)
        : null;

    /// <summary>The caller's requests per minute, as every Cognive service counts them (the queen learns it from <c>/auth/me</c>).</summary>
    public int LimitOf(ClaimsPrincipal user) =>
        int.TryParse(user.FindFirst(CogniveClaims.RateLimit)?.Value, CultureInfo.InvariantCulture, out var own)
            ? own
            : _defaultPerMinute;

    /// <summary>
    /// Login and refresh are counted per client address whatever credential they carry (a key's own, much larger rate
    /// must not pay for password guessing), which bounds both guessing and the CPU the slow password hash can be made to
    /// burn; the address is the connection's, or the one a trusted proxy forwarded (<see cref="TrustedProxies"/>).
    /// Other calls under /auth without a credential count the same way.
    /// </summary>
    private RateSubject SignInSubject(HttpContext context) => new($"ip:{context.Connection.RemoteIpAddress}", _signInPerMinute);

    private static bool IsSignIn(PathString path) =>
        path.StartsWithSegments("/api/v1/auth/login") || path.StartsWithSegments("/api/v1/auth/refresh");
}
