namespace Cognive.Web.Components.Pages.Costs;

public sealed record TrendPoint(DateTimeOffset BucketStart, long Calls, long InputTokens, long OutputTokens, decimal Cost, long UnpricedCalls,
    long Errors);

public sealed record TrendSeries(string Key, string Label, decimal TotalCost, IReadOnlyList<TrendPoint> Points)
{
    public long Calls => Points.Sum(p => p.Calls);
    public long InputTokens => Points.Sum(p => p.InputTokens);
    public long OutputTokens => Points.Sum(p => p.OutputTokens);
    public long Errors => Points.Sum(p => p.Errors);
    public long UnpricedCalls => Points.Sum(p => p.UnpricedCalls);
}

public sealed record CostTrends(string Period, string Bucket, string GroupBy, DateTimeOffset From, DateTimeOffset To, DateTimeOffset GeneratedAt,
    int MaxStalenessSeconds, decimal TotalCost, IReadOnlyList<TrendSeries> Series);
