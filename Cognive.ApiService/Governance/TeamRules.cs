using Cognive.Data.Budgets;

namespace Cognive.ApiService.Governance;

/// <summary>A team's live budgets and policies: what every budget check and every ingested call is held against.</summary>
public sealed record TeamRules(IReadOnlyList<BudgetView> Budgets, IReadOnlyList<PolicyView> Policies)
{
    public IReadOnlyList<BudgetView> HardBudgetsFor(Guid agentId) =>
        Budgets.Where(b => b.Mode == BudgetMode.Hard && (b.AgentId is null || b.AgentId == agentId)).ToList();

    public IEnumerable<PolicyView> PoliciesFor(Guid agentId) => Policies.Where(p => p.AgentId is null || p.AgentId == agentId);
}

public sealed record BudgetView(Guid Id, Guid TeamId, Guid? AgentId, string Name, decimal AmountUsd, BudgetPeriod Period,
    BudgetMode Mode, int[] Thresholds)
{
    public BudgetScope Scope => new(Id, TeamId, AgentId, Period);

    public static BudgetView From(Budget budget) => new(budget.Id, budget.TeamId, budget.AgentId, budget.Name, budget.AmountUsd,
        budget.Period, budget.Mode, budget.Thresholds);
}

public sealed record PolicyView(Guid Id, Guid? AgentId, string Name, string[]? AllowedProviders, string[]? AllowedModels,
    int? MaxTokensPerCall, int? MaxCallsPerMinute, int? ActiveFromHour, int? ActiveToHour);
