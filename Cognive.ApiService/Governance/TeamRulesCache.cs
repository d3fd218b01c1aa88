using System.Collections.Concurrent;
using Cognive.Data;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Cognive.ApiService.Governance;

/// <summary>
/// Each team's rules in this replica's memory, so the ingestion path asks nothing of PostgreSQL or Redis for a team
/// without budgets or policies. A change drops the entry here at once and, through Redis pub/sub, on the other
/// replicas; a lost notice is bounded by the entry's short lifetime.
/// </summary>
public sealed class TeamRulesCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private static readonly RedisChannel Changes = RedisChannel.Literal("cognive:team-rules-changed");

    private readonly ConcurrentDictionary<Guid, (TeamRules Rules, DateTimeOffset LoadedAt)> _rules = new();
    private readonly IServiceScopeFactory _scopes;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;

    public TeamRulesCache(IServiceScopeFactory scopes, IConnectionMultiplexer redis, TimeProvider time)
    {
        (_scopes, _redis, _time) = (scopes, redis, time);
        redis.GetSubscriber().Subscribe(Changes, (channel, team) =>
        {
            if (Guid.TryParse(team.ToString(), out var teamId))
            {
                _rules.TryRemove(teamId, out _);
            }
        });
    }

    public async ValueTask<TeamRules> GetAsync(Guid teamId, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_rules.TryGetValue(teamId, out var entry) && now - entry.LoadedAt < Lifetime)
        {
            return entry.Rules;
        }

        var rules = await LoadAsync(teamId, ct);
        _rules[teamId] = (rules, now);
        return rules;
    }

    /// <summary>Called after a team's budgets or policies changed (committed).</summary>
    public async Task ChangedAsync(Guid teamId)
    {
        _rules.TryRemove(teamId, out _);
        await _redis.GetSubscriber().PublishAsync(Changes, teamId.ToString());
    }

    private async Task<TeamRules> LoadAsync(Guid teamId, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CogniveDbContext>();
        var budgets = await db.Budgets.AsNoTracking().Where(b => b.TeamId == teamId && b.DeletedAt == null).ToListAsync(ct);
        var policies = await db.Policies.AsNoTracking().Where(p => p.TeamId == teamId && p.DeletedAt == null)
            .Select(p => new PolicyView(p.Id, p.AgentId, p.Name, p.AllowedProviders, p.AllowedModels, p.MaxTokensPerCall,
                p.MaxCallsPerMinute, p.ActiveFromHour, p.ActiveToHour))
            .ToListAsync(ct);
        return new TeamRules(budgets.Select(BudgetView.From).ToList(), policies);
    }
}
