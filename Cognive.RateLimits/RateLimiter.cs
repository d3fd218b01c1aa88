using StackExchange.Redis;

namespace Cognive.RateLimits;

/// <summary>
/// Requests per minute per API key or person, counted in Redis so every API replica shares one count. A sliding window
/// approximated from two fixed minutes: the previous minute counts in proportion to how much of it the window still
/// covers. Refused requests are not counted.
/// </summary>
public sealed class RateLimiter(IConnectionMultiplexer redis, TimeProvider time)
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

    public async Task<RateDecision> AcquireAsync(string subject, int limitPerMinute)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = now / WindowMs;
        var previousWeight = 1 - (double)(now % WindowMs) / WindowMs;
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(AcquireScript,
            [$"cognive:rate:{subject}:{window}", $"cognive:rate:{subject}:{window - 1}"],
            [limitPerMinute, previousWeight, 2 * WindowMs]))!;
        var secondsToNextMinute = (int)Math.Ceiling((WindowMs - now % WindowMs) / 1000.0);
        return new RateDecision((int)result[0] == 1, limitPerMinute, Math.Max(0, limitPerMinute - (int)result[1]), secondsToNextMinute);
    }
}

/// <param name="ResetSeconds">When the current minute ends: the count is lower from then on.</param>
public sealed record RateDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds);
