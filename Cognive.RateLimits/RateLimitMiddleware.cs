using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cognive.RateLimits;

/// <summary>Who a request is counted as, and that caller's requests per minute; null for a request no limit applies to.</summary>
public interface IRateSubjects
{
    RateSubject? Of(HttpContext context);
}

/// <param name="Subject">The counter's name: <c>key:&lt;prefix&gt;</c> or <c>user:&lt;id&gt;</c> for a caller, so every service counts a key in one window.</param>
public sealed record RateSubject(string Subject, int LimitPerMinute);

/// <summary>
/// Applies each caller's rate to every request it makes: <c>RateLimit-*</c> headers on every answer, 429 problem details
/// with Retry-After past the limit. If Redis cannot be asked, the request goes through (rate limiting protects capacity;
/// it must not take a service down with Redis).
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RateLimiter limiter, IRateSubjects subjects, IProblemDetailsService problems,
    ILogger<RateLimitMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (subjects.Of(context) is not { } caller)
        {
            await next(context);
            return;
        }

        RateDecision decision;
        try
        {
            decision = await limiter.AcquireAsync(caller.Subject, caller.LimitPerMinute);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            logger.LogWarning("Rate limit not checked, Redis did not answer: {Reason}", e.Message);
            await next(context);
            return;
        }

        await AnswerAsync(context, problems, decision);
        if (decision.Allowed)
        {
            await next(context);
        }
    }

    /// <summary>
    /// The <c>RateLimit-*</c> headers of <paramref name="decision"/>; when it refuses, the 429 problem details with Retry-After
    /// (also what the queen answers when the API refused to say who a caller is because of the caller's rate).
    /// </summary>
    public static async Task AnswerAsync(HttpContext context, IProblemDetailsService problems, RateDecision decision)
    {
        context.Response.Headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["RateLimit-Reset"] = decision.ResetSeconds.ToString(CultureInfo.InvariantCulture);
        if (decision.Allowed)
        {
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

public static class RateLimitExtensions
{
    /// <summary>
    /// The shared limiter, with <typeparamref name="TSubjects"/> saying who each request is counted as; with
    /// <paramref name="admitAhead"/>, callers far from their limit do not wait for Redis (<see cref="AdmissionAhead"/>).
    /// </summary>
    public static IServiceCollection AddRateLimits<TSubjects>(this IServiceCollection services, bool admitAhead = false)
        where TSubjects : class, IRateSubjects
    {
        if (admitAhead)
        {
            services.AddSingleton<AdmissionAhead>();
        }

        services.AddSingleton<RateLimiter>();
        services.AddSingleton<TSubjects>();
        services.AddSingleton<IRateSubjects>(provider => provider.GetRequiredService<TSubjects>());
        return services;
    }

    /// <summary>After authentication, which names the caller.</summary>
    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app) => app.UseMiddleware<RateLimitMiddleware>();
}
