namespace Cognive.Client.Api;

/// <summary>
/// A budget check: either <see cref="EstimatedCostUsd"/>, or <see cref="Model"/> with the token counts for the API to price
/// from its table.
/// </summary>
public sealed record BudgetCheck(Guid AgentId, string? Provider, string? Model, long? InputTokens, long? MaxOutputTokens,
    decimal? EstimatedCostUsd = null);

/// <summary>An allowed check. Report the call with <see cref="ReservationId"/> to settle the hold (null when no hard budget applies).</summary>
public sealed record BudgetCheckResult(bool Allowed, Guid? ReservationId, decimal EstimatedCostUsd, decimal? Remaining,
    DateTimeOffset? ExpiresAt);

/// <summary>A policy of the team (or of one agent when <see cref="AgentId"/> is set).</summary>
public sealed record Policy(Guid Id, string Name, Guid? AgentId, string[]? AllowedProviders, string[]? AllowedModels, int? MaxTokensPerCall,
    int? MaxCallsPerMinute, int? ActiveFromHour, int? ActiveToHour, long Violations, DateTimeOffset CreatedAt);

/// <summary>A point of a cost trend.</summary>
public sealed record TrendPoint(DateTimeOffset BucketStart, long Calls, long InputTokens, long OutputTokens, decimal Cost,
    long UnpricedCalls, long Errors);

/// <summary>One agent's (model's, provider's) spend over time.</summary>
public sealed record TrendSeries(string Key, string Label, decimal TotalCost, IReadOnlyList<TrendPoint> Points);

/// <summary>Spend over time, from the API's hourly rollups (possibly cached: at most <see cref="MaxStalenessSeconds"/> old).</summary>
public sealed record CostTrends(string Period, string Bucket, string GroupBy, DateTimeOffset From, DateTimeOffset To,
    DateTimeOffset GeneratedAt, int MaxStalenessSeconds, decimal TotalCost, IReadOnlyList<TrendSeries> Series);

/// <summary>A model's usage in a cost summary.</summary>
public sealed record ModelUsage(string Provider, string Model, long Calls, long Errors, long UnpricedCalls, decimal Cost,
    double LatencyP50Ms, double LatencyP95Ms);

/// <summary>An agent's spend in a cost summary.</summary>
public sealed record AgentSpend(Guid AgentId, string? Name, long Calls, decimal Cost);

/// <summary>The team's usage over a period.</summary>
public sealed record CostSummary(string Period, DateTimeOffset From, DateTimeOffset To, DateTimeOffset GeneratedAt,
    int MaxStalenessSeconds, long Calls, long Errors, double ErrorRate, long UnpricedCalls, long InputTokens, long OutputTokens,
    long CachedInputTokens, decimal Cost, IReadOnlyList<ModelUsage> Models, IReadOnlyList<AgentSpend> TopAgents);
