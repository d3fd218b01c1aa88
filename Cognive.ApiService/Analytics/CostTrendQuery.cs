using Cognive.ApiService.Validation;
using Microsoft.AspNetCore.Mvc;

namespace Cognive.ApiService.Analytics;

/// <summary>
/// The question the cost-trends explorer asks, shared by its JSON and CSV answers: a window, a bucket, a grouping,
/// and optionally one agent, provider or model.
/// </summary>
public sealed class CostTrendQuery
{
    public string? Period { get; init; }
    public string? Bucket { get; init; }
    [FromQuery(Name = "group_by")] public string? GroupBy { get; init; }
    [FromQuery(Name = "agent_id")] public Guid? AgentId { get; init; }
    public string? Provider { get; init; }
    public string? Model { get; init; }

    /// <summary>The question with its defaults filled in, or the reasons it cannot be answered.</summary>
    public (CostTrendFilter? Filter, Dictionary<string, string[]>? Errors) Resolve()
    {
        var period = Period ?? "7d";
        var filter = new CostTrendFilter(period, Bucket ?? (period == "24h" ? "hour" : "day"), GroupBy ?? "model", AgentId,
            Provider?.Trim().ToLowerInvariant(), Model?.Trim().ToLowerInvariant());
        var errors = new Dictionary<string, string[]>();
        FieldRules.OneOf(errors, "period", filter.Period, AnalyticsWindows.Periods.Keys);
        FieldRules.OneOf(errors, "bucket", filter.Bucket, AnalyticsWindows.Buckets);
        FieldRules.OneOf(errors, "group_by", filter.GroupBy, AnalyticsWindows.Groupings);
        FieldRules.Text(errors, "provider", filter.Provider, 100, required: false);
        FieldRules.Text(errors, "model", filter.Model, 200, required: false);
        return errors.Count > 0 ? (null, errors) : (filter, null);
    }
}

/// <summary>A resolved cost-trends question; null filters match everything.</summary>
public sealed record CostTrendFilter(string Period, string Bucket, string GroupBy, Guid? AgentId, string? Provider, string? Model)
{
    /// <summary>The Redis key of its cached answer, per team.</summary>
    public string CacheKey(Guid teamId) =>
        $"cost-trends:{teamId:N}:{Period}:{Bucket}:{GroupBy}:{AgentId:N}:{Provider}:{Model}";
}
