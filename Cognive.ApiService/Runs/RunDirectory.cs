using Cognive.ApiService.Caching;
using StackExchange.Redis;

namespace Cognive.ApiService.Runs;

/// <summary>
/// Answers "is this the team's run, and does it still take calls?" for every ingested call: from Redis, falling back
/// to PostgreSQL (and refilling Redis) on a miss, so a Redis restart costs a lookup, not correctness.
/// </summary>
public sealed class RunDirectory(IConnectionMultiplexer redis, RunStore runs)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>The team's run, or null when the team has none with that id (another team's run included).</summary>
    public async Task<RunOwner?> FindAsync(Guid teamId, Guid runId, CancellationToken ct)
    {
        var owner = await RedisReadThrough.GetAsync(redis.GetDatabase(), Key(runId), ApiJson.Default.RunOwner, Lifetime,
            () => runs.FindOwnerAsync(runId, ct));
        return owner?.TeamId == teamId ? owner : null;
    }

    public Task RememberAsync(Guid runId, RunOwner owner) =>
        RedisReadThrough.SetAsync(redis.GetDatabase(), Key(runId), ApiJson.Default.RunOwner, Lifetime, owner);

    private static RedisKey Key(Guid runId) => $"cognive:run:{runId:N}";
}
