using Cognive.ApiService.Alerts;
using Cognive.ApiService.Budgets;

namespace Cognive.ApiService.Analytics;

/// <param name="ForecastUsd">Spend at the end of the period if it goes on at the rate so far; null for a total budget.</param>
public sealed record BudgetOutlook(BudgetResponse Budget, decimal? ForecastUsd);

public sealed record ModelSpend(string Provider, string Model, long Calls, long Errors, long UnpricedCalls, decimal Cost);

/// <summary>
/// What the console's landing page shows, in one answer: spend today and this month (UTC), each budget with its forecast,
/// the last 30 days' daily cost by <see cref="CostTrends.GroupBy"/>, the top models and agents by cost over 30 days with the
/// calls nobody could price, error rate and p95 latency by model over the last 24 hours (<see cref="ModelHealth"/>),
/// and the open alerts: thresholds crossed in their budget's current period, and swarm alerts of the last 24 hours.
/// Cached per team for <see cref="MaxStalenessSeconds"/>, so a console polling it sees new calls within seconds.
/// </summary>
public sealed record Overview(DateTimeOffset GeneratedAt, int MaxStalenessSeconds, decimal SpentTodayUsd, decimal SpentThisMonthUsd,
    long UnpricedCalls, IReadOnlyList<BudgetOutlook> Budgets, CostTrends Trend, IReadOnlyList<ModelSpend> TopModels,
    IReadOnlyList<AgentSpend> TopAgents, IReadOnlyList<ModelUsage> ModelHealth, IReadOnlyList<AlertResponse> OpenAlerts);
