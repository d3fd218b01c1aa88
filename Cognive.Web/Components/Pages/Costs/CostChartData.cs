using Plotly.Blazor;
using Plotly.Blazor.Traces;

namespace Cognive.Web.Components.Pages.Costs;

/// <summary>The explorer's series as Plotly bar traces: every series over the same buckets, a missing bucket as 0.</summary>
public static class CostChartData
{
    public static IList<ITrace> Traces(CostTrends trends)
    {
        var buckets = trends.Series.SelectMany(s => s.Points).Select(p => p.BucketStart).Distinct().Order().ToList();
        return trends.Series.Select(series =>
        {
            var costs = series.Points.ToDictionary(p => p.BucketStart, p => p.Cost);
            return (ITrace)new Bar
            {
                Name = series.Label,
                X = buckets.Select(b => (object)b.UtcDateTime).ToList(),
                Y = buckets.Select(b => (object)(costs.TryGetValue(b, out var cost) ? cost : 0m)).ToList(),
            };
        }).ToList();
    }
}
