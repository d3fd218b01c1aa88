using Cognive.ApiService.Caching;
using Cognive.Data;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Cognive.ApiService.Agents;

/// <summary>
/// Agents' configuration read through Redis: agents fetch it on every start and runs check the agent on every start.
/// Updates and archiving drop the entry; PostgreSQL stays the source of truth.
/// </summary>
public sealed class AgentCache(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>The team's agent, or null when the team has none with that id.</summary>
    public async Task<AgentResponse?> GetAsync(CogniveDbContext db, Guid teamId, Guid id, CancellationToken ct)
    {
        var entry = await RedisReadThrough.GetAsync(redis.GetDatabase(), Key(id), ApiJson.Default.CachedAgent, Lifetime, async () =>
        {
            var agent = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.TeamId == teamId, ct);
            return agent is null ? null : new CachedAgent(teamId, AgentResponse.From(agent));
        });
        return entry?.TeamId == teamId ? entry.Agent : null;
    }

    public Task ForgetAsync(Guid id) => redis.GetDatabase().KeyDeleteAsync(Key(id));

    private static RedisKey Key(Guid id) => $"cognive:agent:{id:N}";
}

public sealed record CachedAgent(Guid TeamId, AgentResponse Agent);
