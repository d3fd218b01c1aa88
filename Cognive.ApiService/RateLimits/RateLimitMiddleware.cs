using System.Globalization;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Caching;

namespace Cognive.ApiService.RateLimits;

/// <summary>
/// Applies each API key's (and each person's) rate to every request it authenticates: <c>RateLimit-*</c> headers on every answer, 429
/// problem details with Retry-After past the limit. If Redis cannot be asked, the request goes through (rate limiting
/// protects capacity; it must not take the API down with Redis).
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, RateLimiter limiter, IConfiguration configuration,
    IProblemDetailsService problems, ILogger<RateLimitMiddleware> logger)
{
    public const string DefaultSetting = "Cognive:RateLimits:DefaultPerMinute";
    public const string SignInSetting = "Cognive:RateLimits:SignInPerMinute";
    private const int DefaultPerMinute = 600_000;
    private const int SignInPerMinute = 300;

    /// <summary>
    /// Login and refresh are counted per client address whatever credential they carry (a key's own, much larger rate
    /// must not pay for password guessing), which bounds both guessing and the CPU the slow password hash can be made to
    /// burn; the address is the connection's, or the one a trusted proxy forwarded (<see cref="TrustedProxies"/>).
    /// Other calls under /auth without a credential count the same way.
    /// </summary>
    private (string? Subject, int Limit) SignInSubject(HttpContext context) =>
        ($"ip:{context.Connection.RemoteIpAddress}", configuration.GetValue(SignInSetting, SignInPerMinute));

    private static bool IsSignIn(PathString path) =>
        path.StartsWithSegments("/api/v1/auth/login") || path.StartsWithSegments("/api/v1/auth/refresh");

    public async Task InvokeAsync(HttpContext context)
    {
        var (subject, limit) = IsSignIn(context.Request.Path) ? SignInSubject(context)
            : CogniveClaims.RateSubjectOf(context.User) is { } caller
                ? (caller, int.TryParse(context.User.FindFirst(CogniveClaims.RateLimit)?.Value, CultureInfo.InvariantCulture, out var own)
                    ? own
                    : configuration.GetValue(DefaultSetting, DefaultPerMinute))
                : context.Request.Path.StartsWithSegments("/api/v1/auth") ? SignInSubject(context) : (null, 0);
        if (subject is null)
        {
            await next(context);
            return;
        }

        RateDecision decision;
        try
        {
            decision = await limiter.AcquireAsync(subject, limit);
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            logger.LogWarning("Rate limit not checked, Redis did not answer: {Reason}", e.Message);
            await next(context);
            return;
        }

        context.Response.Headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["RateLimit-Reset"] = decision.ResetSeconds.ToString(CultureInfo.InvariantCulture);
        if (decision.Allowed)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = decision.ResetSeconds.ToString(CultureInfo.InvariantCulture);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = "https://cognive.dev/problems/rate-limited",
                Title = "Rate limit reached",
                Detail = $"This caller may make {decision.Limit} requests a minute. Retry after {decision.ResetSeconds} seconds.",
            },
        });
    }
}
