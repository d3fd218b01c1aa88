using StackExchange.Redis;

namespace Cognive.SwarmQueen.Quotas;

/// <summary>
/// A team's use of a stored quota, counted in Redis so a check costs one round trip, not a scan: the counter is recounted
/// from PostgreSQL (the truth) when Redis lacks it, and lives only <c>lifetime</c>, so whatever it missed (entries that
/// expired, tasks that finished) is corrected at the next recount. If Redis cannot be asked, the request goes through,
/// as with rate limits: quotas protect capacity, they must not take the swarm down with Redis.
/// </summary>
public sealed class UsageCounters(IConnectionMultiplexer redis, ILogger<UsageCounters> logger)
{
    // KEYS: the counter. ARGV: the amount asked for, the limit, 1 to add it when it fits.
    // Returns {1 (fits) or 0 (does not) or -1 (no counter), use before}.
    private const string UseScript = """
        local used = redis.call('GET', KEYS[1])
        if not used then return {-1, 0} end
        used = tonumber(used)
        if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, used} end
        if ARGV[3] == '1' then redis.call('INCRBY', KEYS[1], ARGV[1]) end
        return {1, used}
        """;

    // KEYS: the counter. ARGV: the change. A counter Redis lacks stays absent: the next check recounts it.
    private const string AddScript = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[1]) end";

    /// <param name="reserve">Add <paramref name="amount"/> when it fits (counts taken one by one, concurrently); else only check.</param>
    /// <returns>Whether <paramref name="amount"/> more fits under <paramref name="limit"/>, and the use before it.</returns>
    public async Task<(bool Fits, long Used)> TryUseAsync(RedisKey counter, long amount, long limit, bool reserve, TimeSpan lifetime,
        Func<Task<long>> recount)
    {
        try
        {
            var database = redis.GetDatabase();
            for (var attempt = 0; ; attempt++)
            {
                var result = (RedisResult[])(await database.ScriptEvaluateAsync(UseScript, [counter], [amount, limit, reserve ? 1 : 0]))!;
                if ((int)result[0] >= 0 || attempt > 0)
                {
                    return ((int)result[0] != 0, (long)result[1]);
                }

                await database.StringSetAsync(counter, await recount(), lifetime, When.NotExists);
            }
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            logger.LogWarning("Quota not checked, Redis did not answer: {Reason}", e.Message);
            return (true, 0);
        }
    }

    /// <summary>Counts a change the check did not reserve (bytes written or freed, a reservation given back).</summary>
    public async Task AddAsync(RedisKey counter, long change)
    {
        if (change == 0)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(AddScript, [counter], [change]);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // The counter lapses and is recounted.
        }
    }
}
