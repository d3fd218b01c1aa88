namespace Cognive.ApiService.Analytics;

public sealed record TrendPoint(DateTimeOffset BucketStart, long Calls, long InputTokens, long OutputTokens, decimal Cost,
    long UnpricedCalls, long Errors);

/// <summary>One bucket of one group, as the query yields it.</summary>
public sealed record TrendRow(string Key, string Label, TrendPoint Point);

public sealed record TrendSeries(string Key, string Label, decimal TotalCost, IReadOnlyList<TrendPoint> Points);

/// <summary>
/// Spend over time from the hourly rollups. The answer may be served from a cache: <see cref="GeneratedAt"/> says when
/// it was computed and <see cref="MaxStalenessSeconds"/> bounds how old a served answer can be.
/// </summary>
public sealed record CostTrends(string Period, string Bucket, string GroupBy, DateTimeOffset From, DateTimeOffset To,
    DateTimeOffset GeneratedAt, int MaxStalenessSeconds, decimal TotalCost, IReadOnlyList<TrendSeries> Series);

public sealed record ModelUsage(string Provider, string Model, long Calls, long Errors, long UnpricedCalls, decimal Cost,
    double LatencyP50Ms, double LatencyP95Ms);

public sealed record AgentSpend(Guid AgentId, string? Name, long Calls, decimal Cost);

public sealed record CostSummary(string Period, DateTimeOffset From, DateTimeOffset To, DateTimeOffset GeneratedAt,
    int MaxStalenessSeconds, long Calls, long Errors, double ErrorRate, long UnpricedCalls, long InputTokens,
    long OutputTokens, long CachedInputTokens, decimal Cost, IReadOnlyList<ModelUsage> Models, IReadOnlyList<AgentSpend> TopAgents);

/// <summary>The windows analytics answer for, and the buckets and groupings they offer.</summary>
public static class AnalyticsWindows
{
    public const int MaxStalenessSeconds = 30;

    public static readonly IReadOnlyDictionary<string, TimeSpan> Periods = new Dictionary<string, TimeSpan>
    {
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
        ["30d"] = TimeSpan.FromDays(30),
    };

    public static readonly string[] Buckets = ["hour", "day"];
    public static readonly string[] Groupings = ["agent", "model", "provider"];

    /// <summary>The start of the window: rollups are hourly, so windows begin on the hour.</summary>
    public static DateTimeOffset From(DateTimeOffset now, TimeSpan period)
    {
        var start = now - period;
        return new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, 0, 0, TimeSpan.Zero);
    }
}
