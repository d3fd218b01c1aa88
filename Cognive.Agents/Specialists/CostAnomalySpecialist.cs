using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Specialists;

/// <summary>
/// Spend spikes against a baseline, per agent (or model, or provider), from the daily cost trends of the last 30 days;
/// spikes found raise the team's alert <c>swarm.cost_anomaly</c> (to its webhooks). Payload: <c>days</c> (examined, 7),
/// <c>baseline_days</c> (14), <c>k</c> (3), <c>min_increase_usd</c> (0.01), <c>group_by</c> (agent|model|provider),
/// <c>alert_quiet_minutes</c> (0: no second alert for the same grouping within that time, for tasks run on a schedule).
/// </summary>
public sealed class CostAnomalySpecialist(SpecialistReport report, TimeProvider time) : ITaskHandler
{
    /// <summary>The longest window the cost trends answer; its first day is partial, so one day less is usable.</summary>
    private const int TrendDays = 30;
    private const int MaxAlertDetail = 1000;

    public string Type => "cost-anomaly";

    public async Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct)
    {
        var options = new TaskOptions(payload, "days", "baseline_days", "k", "min_increase_usd", "group_by", "alert_quiet_minutes");
        var rule = new SpikeRule(options.Int("days", 7, 1, TrendDays - 2), options.Int("baseline_days", 14, 2, TrendDays - 2),
            options.Number("k", 3, 0, 100), (decimal)options.Number("min_increase_usd", 0.01, 0, 1_000_000));
        var groupBy = options.OneOf("group_by", "agent", "agent", "model", "provider");
        var quietMinutes = options.Int("alert_quiet_minutes", 0, 0, 1440);
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
        var result = await report.BuildAsync(Type, spikes, new { group_by = groupBy, spenders = spenders.Count, rule }, context, ct);
        if (spikes.Count > 0)
        {
            await RaiseAlertAsync(spikes, groupBy, quietMinutes, context, ct);
        }

        return result;
    }

    private static async Task RaiseAlertAsync(IReadOnlyList<SpendSpike> spikes, string groupBy, int quietMinutes, TaskContext context,
        CancellationToken ct)
    {
        var detail = $"{spikes.Count} spend spike(s) by {groupBy}: {string.Join(" ", spikes.Select(s => s.Description))}";
        using var raised = await context.Queen.PostAsJsonAsync("/api/v1/swarm/alerts", new
        {
            alert = "cost_anomaly", kind = groupBy, detail = detail.Length <= MaxAlertDetail ? detail : detail[..(MaxAlertDetail - 1)] + "…",
            quiet_minutes = quietMinutes,
        }, ct);
        raised.EnsureSuccessStatusCode();
    }
}
