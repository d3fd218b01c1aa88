using StackExchange.Redis;

namespace Cognive.ApiService.Runs;

/// <summary>
/// Answers "whose run is this, and does it still take calls?" for every ingested call: from Redis, falling back to
/// PostgreSQL (and refilling Redis) on a miss, so a Redis restart costs a lookup, not correctness.
/// </summary>
public sealed class RunDirectory(IConnectionMultiplexer redis, RunStore runs)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public async Task<RunOwner?> FindAsync(Guid runId, CancellationToken ct)
    {
        var cached = await redis.GetDatabase().StringGetAsync(Key(runId));
        if (cached.HasValue && Parse(cached.ToString()) is { } owner)
        {
            return owner;
        }

        var stored = await runs.FindOwnerAsync(runId, ct);
        if (stored is not null)
        {
            await RememberAsync(runId, stored);
        }

        return stored;
    }

    public Task RememberAsync(Guid runId, RunOwner owner) =>
        redis.GetDatabase().StringSetAsync(Key(runId), $"{owner.TeamId:N}:{owner.AgentId:N}:{(owner.Ended ? 'e' : 'o')}", Lifetime);

    private static RedisKey Key(Guid runId) => $"cognive:run:{runId:N}";

    private static RunOwner? Parse(string value)
    {
        var parts = value.Split(':');
        return parts.Length == 3 && Guid.TryParse(parts[0], out var team) && Guid.TryParse(parts[1], out var agent)
            ? new RunOwner(team, agent, parts[2] == "e")
            : null;
    }
}
