using System.Globalization;
using Cognive.ApiService.Authentication;
using StackExchange.Redis;

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
    private const int DefaultPerMinute = 600_000;

    public async Task InvokeAsync(HttpContext context)
    {
        if (CogniveClaims.RateSubjectOf(context.User) is not { } subject)
        {
            await next(context);
            return;
        }

        var limit = int.TryParse(context.User.FindFirst(CogniveClaims.RateLimit)?.Value, CultureInfo.InvariantCulture, out var own)
            ? own
            : configuration.GetValue(DefaultSetting, DefaultPerMinute);
        RateDecision decision;
        try
        {
            decision = await limiter.AcquireAsync(subject, limit);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException or RedisConnectionException)
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
