namespace Cognive.Web.Components.Pages.Overview;

/// <summary>A trend's series as chart columns: every day of the window on the x axis, zero where a group spent nothing that day.</summary>
public static class TrendTraces
{
    public sealed record Series(string Label, IList<object> Days, IList<object> Costs);

    public static IReadOnlyList<Series> Of(CostTrend trend)
    {
        var first = DateOnly.FromDateTime(trend.From.UtcDateTime);
        var last = DateOnly.FromDateTime(trend.To.UtcDateTime);
        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
        return trend.Series
            .OrderByDescending(s => s.TotalCost)
            .Select(series =>
            {
                var costs = series.Points.GroupBy(p => DateOnly.FromDateTime(p.BucketStart.UtcDateTime)).ToDictionary(g => g.Key, g => g.Sum(p => p.Cost));
                return new Series(series.Label,
                    days.Select(d => (object)d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
                    days.Select(d => (object)costs.GetValueOrDefault(d)).ToList());
            })
            .ToList();
    }
}
