namespace Cognive.Web.Components.Pages.Overview;

// The API's GET /api/v1/analytics/overview (Cognive.ApiService/Analytics/OverviewContracts.cs), as the console reads it.

public sealed record OverviewData(DateTimeOffset GeneratedAt, int MaxStalenessSeconds, decimal SpentTodayUsd, decimal SpentThisMonthUsd,
    long UnpricedCalls, IReadOnlyList<BudgetOutlook> Budgets, CostTrend Trend, IReadOnlyList<ModelSpend> TopModels,
    IReadOnlyList<AgentSpend> TopAgents, IReadOnlyList<ModelHealth> ModelHealth, IReadOnlyList<OpenAlert> OpenAlerts);

public sealed record BudgetOutlook(OverviewBudget Budget, decimal? ForecastUsd);

public sealed record OverviewBudget(Guid Id, string Name, string Scope, Guid? AgentId, decimal AmountUsd, string Period, string Mode,
    decimal? SpentUsd, DateTimeOffset PeriodStart, DateTimeOffset? ResetsAt);

public sealed record CostTrend(string GroupBy, DateTimeOffset From, DateTimeOffset To, decimal TotalCost, IReadOnlyList<TrendSeries> Series);

public sealed record TrendSeries(string Key, string Label, decimal TotalCost, IReadOnlyList<TrendPoint> Points);

public sealed record TrendPoint(DateTimeOffset BucketStart, long Calls, decimal Cost);

public sealed record ModelSpend(string Provider, string Model, long Calls, long Errors, long UnpricedCalls, decimal Cost);

public sealed record AgentSpend(Guid AgentId, string? Name, long Calls, decimal Cost);

public sealed record ModelHealth(string Provider, string Model, long Calls, long Errors, double LatencyP95Ms)
{
    public double ErrorRate => Calls == 0 ? 0 : (double)Errors / Calls;
}

public sealed record OpenAlert(Guid Id, string Type, Guid? BudgetId, int? Threshold, decimal? SpentUsd, decimal? LimitUsd, string? Kind,
    string? Detail, DateTimeOffset FiredAt);
