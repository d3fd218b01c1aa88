namespace Cognive.ApiService.Budgets;

/// <param name="Period">daily, weekly, monthly or total; periods reset at 00:00 UTC (weeks on Monday).</param>
/// <param name="Mode">hard blocks spending past the amount; soft only alerts. Hard when left out.</param>
/// <param name="Thresholds">Percentages that alert once each per period; 80, 90, 100 when left out.</param>
public sealed record CreateBudgetRequest(string? Name, Guid? AgentId, decimal? AmountUsd, string? Period, string? Mode, int[]? Thresholds);

public sealed record UpdateBudgetRequest(string? Name, decimal? AmountUsd, string? Mode, int[]? Thresholds);

public sealed record BudgetResponse(Guid Id, string Name, string Scope, Guid? AgentId, decimal AmountUsd, string Period, string Mode,
    int[] Thresholds, decimal? SpentUsd, DateTimeOffset PeriodStart, DateTimeOffset? ResetsAt, DateTimeOffset CreatedAt);

/// <summary>Either <see cref="EstimatedCostUsd"/>, or <see cref="Model"/> with the token counts to price it from the table.</summary>
/// <param name="CountCall">The caller makes the call as soon as it is allowed (the gateway does): it counts against
/// calls-per-minute rules here, since it is never reported through the API.</param>
public sealed record BudgetCheckRequest(Guid? AgentId, decimal? EstimatedCostUsd, string? Provider, string? Model, long? InputTokens,
    long? MaxOutputTokens, bool? CountCall = null);

/// <param name="ReservationId">Report the call with it (reservation_id) to settle the hold; null when no hard budget applies.</param>
/// <param name="Remaining">Room left on the tightest hard budget after this hold; null when none applies.</param>
public sealed record BudgetCheckResponse(bool Allowed, Guid? ReservationId, decimal EstimatedCostUsd, decimal? Remaining,
    DateTimeOffset? ExpiresAt);
