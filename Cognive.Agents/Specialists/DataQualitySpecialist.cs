using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Specialists;

/// <summary>
/// Duplicate or inconsistent telemetry in the runs of the last hours (see <see cref="TelemetryChecks"/>).
/// Payload: <c>hours</c> (24), <c>max_runs</c> (500, the most runs read).
/// </summary>
public sealed class DataQualitySpecialist(SpecialistReport report, TimeProvider time) : ITaskHandler
{
    public string Type => "data-quality";

    public async Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct)
    {
        var options = new TaskOptions(payload, "hours", "max_runs");
        var hours = options.Int("hours", 24, 1, 720);
        var maxRuns = options.Int("max_runs", 500, 1, 10_000);

        var now = time.GetUtcNow();
        var (runs, truncated) = await TeamTelemetry.ReadAsync(context.Api, now.AddHours(-hours), maxRuns, ct);
        var findings = TelemetryChecks.Find(runs, now);
        return await report.BuildAsync(Type, findings,
            new { hours, runs = runs.Count, calls = runs.Sum(r => r.Calls.Count), truncated }, context, ct);
    }
}
