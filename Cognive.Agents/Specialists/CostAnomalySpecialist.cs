using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Specialists;

/// <summary>
/// Spend spikes against a baseline, per agent (or model, or provider), from the daily cost trends of the last 30 days.
/// Payload: <c>days</c> (examined, 7), <c>baseline_days</c> (14), <c>k</c> (3), <c>min_increase_usd</c> (0.01),
/// <c>group_by</c> (agent|model|provider).
/// </summary>
public sealed class CostAnomalySpecialist(SpecialistReport report, TimeProvider time) : ITaskHandler
{
    /// <summary>The longest window the cost trends answer; its first day is partial, so one day less is usable.</summary>
    private const int TrendDays = 30;

    public string Type => "cost-anomaly";

    public async Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct)
    {
        var options = new TaskOptions(payload, "days", "baseline_days", "k", "min_increase_usd", "group_by");
        var rule = new SpikeRule(options.Int("days", 7, 1, TrendDays - 2), options.Int("baseline_days", 14, 2, TrendDays - 2),
            options.Number("k", 3, 0, 100), (decimal)options.Number("min_increase_usd", 0.01, 0, 1_000_000));
        var groupBy = options.OneOf("group_by", "agent", "agent", "model", "provider");
        if (rule.Days + rule.BaselineDays > TrendDays - 1)
        {
            throw new ArgumentException($"days + baseline_days is at most {TrendDays - 1}: the cost trends reach {TrendDays} days back.");
        }

        var trends = await context.Api.GetFromJsonAsync<JsonElement>(
            $"/api/v1/analytics/cost-trends?period={TrendDays}d&bucket=day&group_by={groupBy}", ct);
        var spenders = trends.GetProperty("series").EnumerateArray().Select(s => new DailySpend(s.GetProperty("label").GetString()!,
            s.GetProperty("points").EnumerateArray().ToDictionary(
                p => DateOnly.FromDateTime(p.GetProperty("bucket_start").GetDateTimeOffset().UtcDateTime),
                p => p.GetProperty("cost").GetDecimal()))).ToList();
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var spikes = SpendSpikes.Find(spenders, today, rule);
        return await report.BuildAsync(Type, spikes, new { group_by = groupBy, spenders = spenders.Count, rule }, context, ct);
    }
}
