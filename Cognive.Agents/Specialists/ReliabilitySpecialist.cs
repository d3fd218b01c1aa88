using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Specialists;

/// <summary>
/// Error rates per provider and model (from the analytics summary) and webhooks whose alert deliveries fail.
/// Payload: <c>period</c> (24h|7d|30d), <c>max_error_rate</c> (0.05), <c>min_calls</c> (10).
/// </summary>
public sealed class ReliabilitySpecialist(SpecialistReport report, TimeProvider time) : ITaskHandler
{
    private const int AlertsRead = 200;
    private static readonly Dictionary<string, TimeSpan> Periods = new()
    {
        ["24h"] = TimeSpan.FromHours(24), ["7d"] = TimeSpan.FromDays(7), ["30d"] = TimeSpan.FromDays(30),
    };

    public string Type => "reliability";

    public async Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct)
    {
        var options = new TaskOptions(payload, "period", "max_error_rate", "min_calls");
        var period = options.OneOf("period", "24h", [.. Periods.Keys]);
        var maxErrorRate = options.Number("max_error_rate", 0.05, 0, 1);
        var minCalls = options.Int("min_calls", 10, 1, 1_000_000);

        var summary = await context.Api.GetFromJsonAsync<JsonElement>($"/api/v1/analytics/summary?period={period}", ct);
        var models = summary.GetProperty("models").EnumerateArray().Select(m => new ModelCalls(m.GetProperty("provider").GetString()!,
            m.GetProperty("model").GetString()!, m.GetProperty("calls").GetInt64(), m.GetProperty("errors").GetInt64())).ToList();
        // Alerts are listed newest first; those of the period are enough to judge the webhooks now.
        var since = time.GetUtcNow() - Periods[period];
        var alerts = await context.Api.GetFromJsonAsync<JsonElement>($"/api/v1/alerts?limit={AlertsRead}", ct);
        var deliveries = alerts.GetProperty("items").EnumerateArray()
            .Where(a => a.GetProperty("fired_at").GetDateTimeOffset() >= since)
            .SelectMany(a => a.GetProperty("deliveries").EnumerateArray().Select(d => new AlertDelivery(d.GetProperty("webhook_id").GetGuid(),
                d.GetProperty("status").GetString()!, d.GetProperty("attempts").GetInt32(), d.GetProperty("last_error").GetString(),
                a.GetProperty("fired_at").GetDateTimeOffset())))
            .ToList();

        Finding[] findings = [.. ErrorRates.Find(models, maxErrorRate, minCalls), .. FailingWebhooks.Find(deliveries)];
        return await report.BuildAsync(Type, findings,
            new { period, max_error_rate = maxErrorRate, min_calls = minCalls, models = models.Count, deliveries = deliveries.Count }, context, ct);
    }
}
