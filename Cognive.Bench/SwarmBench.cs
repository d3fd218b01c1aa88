using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cognive.Bench;

/// <summary>
/// The queen's own speed: no-op tasks dispatched and completed per second by 1, 4 and 8 instances (simulated in this
/// process, each leasing and completing in a loop, so the figure is the queen's, not a handler's), dispatch latency
/// (lease round trip), and shared-memory operations per second from 64 clients.
/// </summary>
public static class SwarmBench
{
    private const int TasksPerPhase = 2000;

    public static async Task RunAsync(BenchApp app, TimeSpan duration, CancellationToken ct)
    {
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync("swarm-queen", ct);
        var (key, _) = await app.CreateTeamAsync(ct);
        using var api = app.CreateClient(key);
        using var queen = app.CreateClient(key, app.App.GetEndpoint("swarm-queen", "http"));
        using var agent = await api.PostAsJsonAsync("/api/v1/agents", new { name = "bench-swarm", framework = "bench" }, ct);
        var agentId = (await agent.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("agent_id").GetGuid();

        foreach (var instances in new[] { 1, 4, 8 })
        {
            Report.Section($"No-op tasks, {instances} instance(s), {TasksPerPhase:N0} tasks");
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
            {
                for (var i = worker; i < TasksPerPhase; i += 8)
                {
                    using var submitted = await queen.PostAsJsonAsync("/api/v1/swarm/tasks", new { type = "noop", priority = i % 10 }, ct);
                    submitted.EnsureSuccessStatusCode();
                }
            }));

            // Registered after the submissions: the queen declares instances silent for 10 s dead.
            var ids = new List<Guid>();
            for (var i = 0; i < instances; i++)
            {
                var id = Guid.NewGuid();
                using var registered = await queen.PutAsJsonAsync($"/api/v1/swarm/agents/{id}",
                    new { agent_id = agentId, capabilities = new[] { "noop" }, version = "bench", max_concurrency = 4 }, ct);
                registered.EnsureSuccessStatusCode();
                ids.Add(id);
            }

            var dispatch = new Latencies();
            var completed = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(ids.Select(async instance =>
            {
                var lastBeat = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref completed) < TasksPerPhase && clock.Elapsed < duration * 4)
                {
                    if (Stopwatch.GetElapsedTime(lastBeat) > TimeSpan.FromSeconds(2))
                    {
                        using var beat = await queen.PostAsync($"/api/v1/swarm/agents/{instance}/heartbeat", null, ct);
                        lastBeat = Stopwatch.GetTimestamp();
                    }

                    var started = Stopwatch.GetTimestamp();
                    using var leased = await queen.PostAsync($"/api/v1/swarm/agents/{instance}/lease", null, ct);
                    dispatch.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (leased.StatusCode != HttpStatusCode.OK)
                    {
                        continue;
                    }

                    var task = await leased.Content.ReadFromJsonAsync<JsonElement>(ct);
                    using var done = await queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{task.GetProperty("id").GetGuid()}/complete",
                        new { fencing_token = task.GetProperty("fencing_token").GetInt64() }, ct);
                    done.EnsureSuccessStatusCode();
                    Interlocked.Increment(ref completed);
                }
            }));
            Report.Line($"completed: {completed:N0} in {clock.Elapsed.TotalSeconds:F1} s = {completed / clock.Elapsed.TotalSeconds,8:N0} tasks/s");
            Report.Line($"lease (dispatch) round trip: {dispatch.Summary()}");
        }

        Report.Section($"Shared memory: 64 clients, half writes (compare-free) and half reads, {duration.TotalSeconds:F0} s");
        var operations = 0L;
        var memory = new Latencies();
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async client =>
        {
            for (var i = 0; Stopwatch.GetTimestamp() < until; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = i % 2 == 0
                    ? await queen.PutAsJsonAsync($"/api/v1/swarm/memory/bench/key-{client}", new { value = new { i } }, ct)
                    : await queen.GetAsync($"/api/v1/swarm/memory/bench/key-{client}", ct);
                response.EnsureSuccessStatusCode();
                memory.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref operations);
            }
        }));
        Report.Line($"throughput: {operations / duration.TotalSeconds,10:N0} operations/s (target ≥ 20,000); latency {memory.Summary()}");
    }
}
