using Cognive.Data;
using Cognive.Governance.Budgets;
using Cognive.Governance.Caching;
using Cognive.Governance.Policies;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Cognive.Governance;

/// <summary>
/// Each team's rules in this replica's memory (5 s, dropped on change on every replica), so the ingestion path asks
/// nothing of PostgreSQL or Redis for a team without budgets or policies.
/// </summary>
public sealed class TeamRulesCache(IServiceScopeFactory scopes, IConnectionMultiplexer redis, TimeProvider time,
    ILogger<TeamRulesCache> logger)
{
    private readonly ReplicaCache<TeamRules> _rules = new(redis, "cognive:team-rules-changed", TimeSpan.FromSeconds(5), time, logger);

    public async ValueTask<TeamRules> GetAsync(Guid teamId, CancellationToken ct) =>
        (await _rules.GetAsync(teamId.ToString("N"), async () => await LoadAsync(teamId, ct)))!;

    /// <summary>Called after a team's budgets or policies changed (committed).</summary>
    public Task ChangedAsync(Guid teamId) => _rules.ChangedAsync(teamId.ToString("N"));

    private async Task<TeamRules?> LoadAsync(Guid teamId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CogniveDbContext>();
        var budgets = await db.Budgets.AsNoTracking().Where(b => b.TeamId == teamId && b.DeletedAt == null).ToListAsync(ct);
        var policies = await db.Policies.AsNoTracking().Where(p => p.TeamId == teamId && p.DeletedAt == null)
            .Select(p => new PolicyView(p.Id, p.AgentId, p.Name, p.AllowedProviders, p.AllowedModels, p.MaxTokensPerCall,
                p.MaxCallsPerMinute, p.ActiveFromHour, p.ActiveToHour))
            .ToListAsync(ct);
        return new TeamRules(budgets.Select(BudgetView.From).ToList(), policies);
    }
}
