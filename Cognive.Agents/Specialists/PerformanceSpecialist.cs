using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Specialists;

/// <summary>
/// Latency regressions: the p95 of each model's call latency, and of each agent's run duration, in the current window
/// against the window before. Payload: <c>window_hours</c> (24), <c>tolerance</c> (0.5), <c>min_samples</c> (5),
/// <c>max_runs</c> (500, the most runs read).
/// </summary>
public sealed class PerformanceSpecialist(SpecialistReport report, TimeProvider time) : ITaskHandler
{
    public string Type => "performance";

    public async Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct)
    {
        var options = new TaskOptions(payload, "window_hours", "tolerance", "min_samples", "max_runs");
        var rule = new RegressionRule(TimeSpan.FromHours(options.Int("window_hours", 24, 1, 360)), options.Number("tolerance", 0.5, 0, 100),
            options.Int("min_samples", 5, 1, 100_000));
        var maxRuns = options.Int("max_runs", 500, 1, 10_000);

        var now = time.GetUtcNow();
        var (runs, truncated) = await TeamTelemetry.ReadAsync(context.Api, now - 2 * rule.Window, maxRuns, ct);
        var calls = runs.SelectMany(r => r.Calls).Select(c => new DurationSample($"{c.Provider}/{c.Model}", c.OccurredAt, c.LatencyMs));
        var ended = runs.Where(r => r.EndedAt is not null).Select(r => new DurationSample($"runs of {r.Agent}", r.StartedAt, r.DurationSeconds));
        Finding[] findings = [.. LatencyRegressions.Find(calls, now, rule, "ms"), .. LatencyRegressions.Find(ended, now, rule, "s")];
        return await report.BuildAsync(Type, findings, new { rule, runs = runs.Count, truncated }, context, ct);
    }
}
