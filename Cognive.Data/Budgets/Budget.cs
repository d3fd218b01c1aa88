namespace Cognive.Data.Budgets;

/// <summary>
/// A spending limit for a team, or for one of its agents, over a period that resets in UTC. A hard budget blocks
/// spending past its amount; a soft one only alerts. Deleted budgets are kept (their alerts refer to them).
/// </summary>
public sealed class Budget : ISoftDeleted
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    /// <summary>Null for a budget over the whole team.</summary>
    public Guid? AgentId { get; init; }

    public required string Name { get; set; }

    public decimal AmountUsd { get; set; }

    public BudgetPeriod Period { get; set; }

    public BudgetMode Mode { get; set; }

    /// <summary>Percentages of the amount at which an alert fires, once each per period.</summary>
    public int[] Thresholds { get; set; } = [80, 90, 100];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }
}

public enum BudgetMode
{
    Hard,
    Soft,
}
