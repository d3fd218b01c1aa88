using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cognive.RateLimits;

/// <summary>
/// Requests per minute per API key or person, counted in Redis so every replica of every service shares one count. A sliding
/// window approximated from two fixed minutes: the previous minute counts in proportion to how much of it the window still
/// covers. Refused requests are not counted. With <paramref name="ahead"/>, a request whose caller is far from its limit goes
/// on without waiting for Redis, and is counted all the same (<see cref="AdmissionAhead"/>).
/// </summary>
public sealed class RateLimiter(IConnectionMultiplexer redis, TimeProvider time, ILogger<RateLimiter> logger, AdmissionAhead? ahead = null)
{
    private const long WindowMs = 60_000;

    // KEYS: this minute's counter, the previous minute's. ARGV: limit, weight of the previous minute, counter lifetime.
    private const string AcquireScript = """
        local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        local used = math.ceil(previous * tonumber(ARGV[2])) + current
        if used >= tonumber(ARGV[1]) then
            return {0, used}
        end
        if redis.call('INCR', KEYS[1]) == 1 then
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return {1, used + 1}
        """;

    public ValueTask<RateDecision> AcquireAsync(string subject, int limitPerMinute)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long ticket = 0;
        if (ahead?.Admit(subject, limitPerMinute, now, out ticket) is { } used)
        {
            _ = CountBehindAsync(subject, limitPerMinute, now, ticket);
            return ValueTask.FromResult(Decision(true, limitPerMinute, used, now));
        }

        return new ValueTask<RateDecision>(CountAsync(subject, limitPerMinute, now, ticket));
    }

    private async Task<RateDecision> CountAsync(string subject, int limitPerMinute, long now, long ticket)
    {
        RedisResult[] result;
        try
        {
            var window = now / WindowMs;
            var previousWeight = 1 - (double)(now % WindowMs) / WindowMs;
            result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(AcquireScript,
                [$"cognive:rate:{subject}:{window}", $"cognive:rate:{subject}:{window - 1}"],
                [limitPerMinute, previousWeight, 2 * WindowMs]))!;
        }
        catch
        {
            ahead?.Unanswered(subject);
            throw;
        }

        ahead?.Answered(subject, ticket, (int)result[1], time.GetUtcNow().ToUnixTimeMilliseconds());
        return Decision((int)result[0] == 1, limitPerMinute, (int)result[1], now);
    }

    /// <summary>Counts a request that has already gone on; there is no caller left to tell if Redis does not answer.</summary>
    private async Task CountBehindAsync(string subject, int limitPerMinute, long now, long ticket)
    {
        try
        {
            await CountAsync(subject, limitPerMinute, now, ticket);
        }
        catch (Exception e)
        {
            logger.LogWarning("A request let through ahead of its count was not counted, Redis did not answer: {Reason}", e.Message);
        }
    }

    private static RateDecision Decision(bool allowed, int limitPerMinute, int used, long now) =>
        new(allowed, limitPerMinute, Math.Max(0, limitPerMinute - used), (int)Math.Ceiling((WindowMs - now % WindowMs) / 1000.0));
}

/// <param name="ResetSeconds">When the current minute ends: the count is lower from then on.</param>
public sealed record RateDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds);
