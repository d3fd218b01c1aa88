using System.Diagnostics;
using StackExchange.Redis;

namespace Cognive.Bench;

/// <summary>
/// The budget check's raw Redis ceiling: a Lua script of the check's shape for one hard budget (read the spend, prune
/// lapsed holds, read the held total, add a hold, refresh the keys' lifetimes, record the reservation) called straight
/// from here by as many callers as the benchmark's clients, on keys of a scratch budget — no HTTP, no API.
/// </summary>
public static class GovernanceCeiling
{
    // KEYS: spent, holds, held, reservation. ARGV: now ms, hold expiry ms, reservation id, estimate µ$, hold lifetime ms, limit µ$.
    private const string CheckShapedScript = """
        local spent = redis.call('GET', KEYS[1])
        if not spent then return {-1, 1} end
        for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)) do
            local amount = redis.call('HGET', KEYS[3], id)
            if amount then
                redis.call('HINCRBY', KEYS[3], '_total', -tonumber(amount))
                redis.call('HDEL', KEYS[3], id)
            end
            redis.call('ZREM', KEYS[2], id)
        end
        local room = tonumber(ARGV[6]) - math.floor(tonumber(spent) * 1000000 + 0.5)
            - tonumber(redis.call('HGET', KEYS[3], '_total') or '0') - tonumber(ARGV[4])
        if room < 0 then return {0, 1} end
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
        redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
        redis.call('HINCRBY', KEYS[3], '_total', ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
        redis.call('PEXPIRE', KEYS[3], ARGV[5])
        redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[5])
        return {1, room}
        """;

    /// <summary>Scripts run per second by <paramref name="callers"/> closed-loop callers for <paramref name="duration"/>, and their latencies.</summary>
    public static async Task<(double PerSecond, Latencies Latencies)> CheckScriptAsync(string connectionString, int callers, TimeSpan duration,
        CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var cache = redis.GetDatabase();
        var stem = $"cognive:bench-ceiling:{Guid.NewGuid():N}";
        var holdLifetime = TimeSpan.FromSeconds(5);
        await cache.StringSetAsync(stem + ":spent", "0", TimeSpan.FromMinutes(5));
        var latencies = new Latencies();
        var calls = 0L;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < until && !ct.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                var reservation = Guid.CreateVersion7(now).ToString("N");
                RedisKey[] keys = [stem + ":spent", stem + ":holds", stem + ":held", $"{stem}:reservation:{reservation}"];
                RedisValue[] args =
                [
                    now.ToUnixTimeMilliseconds(), (now + holdLifetime).ToUnixTimeMilliseconds(), reservation, 100,
                    (long)holdLifetime.TotalMilliseconds, long.MaxValue / 2,
                ];
                var started = Stopwatch.GetTimestamp();
                await cache.ScriptEvaluateAsync(CheckShapedScript, keys, args);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref calls);
            }
        }));
        await cache.KeyDeleteAsync([stem + ":spent", stem + ":holds", stem + ":held"]);
        return (calls / duration.TotalSeconds, latencies);
    }
}
