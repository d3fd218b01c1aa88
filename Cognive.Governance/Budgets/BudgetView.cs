using Cognive.Data.Budgets;

namespace Cognive.Governance.Budgets;

public sealed record BudgetView(Guid Id, Guid TeamId, Guid? AgentId, string Name, decimal AmountUsd, BudgetPeriod Period,
    BudgetMode Mode, int[] Thresholds)
{
    public BudgetScope Scope => new(Id, TeamId, AgentId, Period);

    public static BudgetView From(Budget budget) => new(budget.Id, budget.TeamId, budget.AgentId, budget.Name, budget.AmountUsd,
        budget.Period, budget.Mode, budget.Thresholds);
}

/// <summary>A budget with its spend and unsettled reservations in the current period (null where not read: reported calls).</summary>
public sealed record BudgetState(BudgetView Budget, decimal Spent, decimal? Reserved)
{
    public DateTimeOffset? ResetsAt(DateTimeOffset now) => BudgetPeriods.ResetOf(Budget.Period, now);

    /// <summary>
    /// How long until waiting can help: when only other checks' reservations fill the budget (<paramref name="heldOnly"/>),
    /// they settle or lapse within <see cref="BudgetLedger.HoldLifetime"/>; otherwise until the period resets. A spent total
    /// budget never resets (null): raising its amount is what helps.
    /// </summary>
    public TimeSpan? RetryAfter(DateTimeOffset now, bool heldOnly) => heldOnly ? BudgetLedger.HoldLifetime : ResetsAt(now) - now;
}
