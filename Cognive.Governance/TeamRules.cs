using Cognive.Data.Budgets;
using Cognive.Governance.Budgets;
using Cognive.Governance.Policies;

namespace Cognive.Governance;

/// <summary>A team's live budgets and policies: what every budget check and every reported call is held against.</summary>
public sealed record TeamRules(IReadOnlyList<BudgetView> Budgets, IReadOnlyList<PolicyView> Policies)
{
    public IReadOnlyList<BudgetView> HardBudgetsFor(Guid agentId) =>
        Budgets.Where(b => b.Mode == BudgetMode.Hard && (b.AgentId is null || b.AgentId == agentId)).ToList();

    public IEnumerable<PolicyView> PoliciesFor(Guid agentId) => Policies.Where(p => p.AgentId is null || p.AgentId == agentId);
}
