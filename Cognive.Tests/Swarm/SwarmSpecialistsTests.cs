using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Swarm;

/// <summary>
/// The running agents' specialists find what was seeded into the swarm team's telemetry, summarise it with the local
/// provider, report that model call as an LLM call of the task's run, and raise an alert for a spend spike.
/// </summary>
public sealed class SwarmSpecialistsTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Specialists_name_the_seeded_spend_spike_error_rate_and_latency_regression_and_report_their_llm_call()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = SwarmSession.OfTheAgents(_app);
        var team = swarm.Team;
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var (spender, flaky, slow) = ($"spiky-{suffix}", $"flaky-{suffix}", $"slow-{suffix}");
        var runId = await team.StartRunAsync(await team.RegisterAgentAsync(spender, ct), ct);
        var now = DateTimeOffset.UtcNow;
        var today = now.UtcDateTime.ToString("yyyy-MM-dd");

        // A week of small spend (none yesterday), then a day of 10 million input tokens; a model failing 8 calls of 12;
        // a model whose calls took 100 ms a day ago and 2 s in the last hour.
        var calls = new List<object>();
        calls.AddRange(Enumerable.Range(2, 7).Select(back => Call(runId, "gpt-4o-mini", now.AddDays(-back), input: 10_000)));
        calls.Add(Call(runId, "gpt-4o-mini", now, input: 10_000_000));
        calls.AddRange(Enumerable.Range(0, 12).Select(i => Call(runId, flaky, now.AddMinutes(-i), status: i < 8 ? "error" : "success")));
        calls.AddRange(Enumerable.Range(0, 6).Select(i => Call(runId, slow, now.AddHours(-30).AddMinutes(i), latency: 100)));
        calls.AddRange(Enumerable.Range(0, 6).Select(i => Call(runId, slow, now.AddHours(-1).AddMinutes(i), latency: 2000)));
        using (var seeded = await team.PostBatchAsync(calls, ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, seeded.StatusCode);
        }

        // Analytics answers are cached for 30 s: ask only once everything is stored.
        await team.WaitForRunCallsAsync(runId, calls.Count, ct);

        var tasks = new Dictionary<string, Guid>
        {
            ["cost-anomaly"] = await swarm.SubmitAsync(new { type = "cost-anomaly", priority = 9, payload = new { days = 3, baseline_days = 7 } }, ct),
            ["reliability"] = await swarm.SubmitAsync(new { type = "reliability", priority = 9, payload = new { period = "24h", min_calls = 10 } }, ct),
            ["performance"] = await swarm.SubmitAsync(new { type = "performance", priority = 9, payload = new { window_hours = 24, min_samples = 5 } }, ct),
        };
        var finished = new Dictionary<string, JsonElement>();
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var (type, id) in tasks)
            {
                finished[type] = await swarm.TaskAsync(id, ct);
            }

            return finished.Values.All(t => t.GetProperty("state").GetString() is "done" or "dead");
        }, "the specialists finish their tasks", ct, TimeSpan.FromMinutes(2));

        foreach (var (type, task) in finished)
        {
            Assert.True(task.GetProperty("state").GetString() == "done", $"{type}: {task}");
            Assert.Equal("local", task.GetProperty("result").GetProperty("llm").GetProperty("provider").GetString());
            Assert.False(string.IsNullOrEmpty(task.GetProperty("result").GetProperty("summary").GetString()), $"{type} has a summary");
        }

        var spike = Findings(finished["cost-anomaly"], "spend_spike").Single(f => f.GetProperty("subject").GetString() == spender);
        Assert.Equal(today, spike.GetProperty("day").GetString());
        // The spike raised the team's alert, which goes to its webhooks like any other.
        var alerts = (await team.GetJsonAsync("/api/v1/alerts?limit=200", ct)).GetProperty("items").EnumerateArray();
        Assert.Contains(alerts, a => a.GetProperty("type").GetString() == "swarm.cost_anomaly" && a.GetProperty("kind").GetString() == "agent" &&
            a.GetProperty("detail").GetString()!.Contains(spender, StringComparison.Ordinal));
        Assert.Contains(Findings(finished["reliability"], "high_error_rate"),
            f => f.GetProperty("model").GetString() == flaky && f.GetProperty("errors").GetInt64() == 8);
        Assert.Contains(Findings(finished["performance"], "latency_regression"), f => f.GetProperty("subject").GetString() == $"openai/{slow}");

        // The summary's model call is an LLM call of the task's run, with the usage the result states.
        var llm = finished["cost-anomaly"].GetProperty("result").GetProperty("llm");
        var taskRun = await RunOfTaskAsync(team, tasks["cost-anomaly"], ct);
        await team.WaitForRunCallsAsync(taskRun, 1, ct);
        var stored = Assert.Single((await team.GetJsonAsync($"/api/v1/runs/{taskRun}/llm-calls", ct)).GetProperty("items").EnumerateArray());
        Assert.Equal(("local", "cognive-local-1", llm.GetProperty("input_tokens").GetInt64(), llm.GetProperty("output_tokens").GetInt64(), "success"),
            (stored.GetProperty("provider").GetString(), stored.GetProperty("model").GetString(), stored.GetProperty("input_tokens").GetInt64(),
                stored.GetProperty("output_tokens").GetInt64(), stored.GetProperty("status").GetString()));
    }

    private static object Call(Guid runId, string model, DateTimeOffset at, long input = 1000, string status = "success", int latency = 300) => new
    {
        run_id = runId, provider = "openai", model, input_tokens = input, output_tokens = input / 10, latency_ms = latency, status,
        occurred_at = at,
    };

    private static IEnumerable<JsonElement> Findings(JsonElement task, string kind) =>
        task.GetProperty("result").GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == kind);

    /// <summary>The agents start each task's run with the task's id in its metadata.</summary>
    private static async Task<Guid> RunOfTaskAsync(TeamSession team, Guid taskId, CancellationToken ct)
    {
        var agents = await team.GetJsonAsync("/api/v1/agents?limit=200", ct);
        var worker = agents.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "swarm-worker");
        var runs = await team.GetJsonAsync($"/api/v1/agents/{worker.GetProperty("agent_id").GetGuid()}/runs?limit=200", ct);
        return runs.GetProperty("items").EnumerateArray()
            .Single(r => r.GetProperty("metadata") is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("task_id", out var id) &&
                         id.GetGuid() == taskId)
            .GetProperty("run_id").GetGuid();
    }
}
