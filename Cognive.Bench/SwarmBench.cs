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
        // The services' own processes, past DCP's proxy (as a cluster's service routes to a pod).
        using var api = app.CreateClient(key, await app.DirectAddressAsync("Cognive.ApiService", ct));
        using var queen = app.CreateClient(key, await app.DirectAddressAsync("Cognive.SwarmQueen", ct));
        using var agent = await api.PostAsJsonAsync("/api/v1/agents", new { name = "bench-swarm", framework = "bench" }, ct);
        var agentId = (await agent.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("agent_id").GetGuid();

        Report.Section($"Ceiling: the lease statement alone, straight to PostgreSQL, 8 connections, {TasksPerPhase:N0} tasks");
        var (ceiling, ceilingLatency) = await SwarmCeiling.LeaseStatementAsync(app, queen, agentId, 8, TasksPerPhase, ct);
        Report.Line($"leased: {ceiling,8:N0} tasks/s; statement {ceilingLatency.Summary()}");

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
            var perSecond = completed / clock.Elapsed.TotalSeconds;
            Report.Line($"completed: {completed:N0} in {clock.Elapsed.TotalSeconds:F1} s = {perSecond,8:N0} tasks/s ({perSecond / ceiling:P0} of the lease statement's ceiling; target ≥ 1,000 with 8)");
            Report.Line($"lease (dispatch) round trip: {dispatch.Summary()} (target p99 < 10 ms; the statement alone p99 {ceilingLatency.Percentile(99):F2} ms)");
        }

        await MemorySinglesAsync(queen, duration, ct);
        await MemoryBatchesAsync(queen, duration, ct);
        await DeadAgentAsync(queen, agentId, ct);
    }

    /// <summary>
    /// One operation a request, half writes and half reads, beside reads alone: a read is the cheapest request the queen
    /// serves (authentication, rate limit, one Redis GET), so its rate is the ceiling of this path on the machine.
    /// </summary>
    private static async Task MemorySinglesAsync(HttpClient queen, TimeSpan duration, CancellationToken ct)
    {
        Report.Section($"Shared memory, one operation a request: 64 clients, half writes (compare-free) and half reads, {duration.TotalSeconds:F0} s");
        var ((operations, latencies, _), _, cores) = await Phase.WithCpuAsync(() => ClosedLoop.RunAsync(64, duration, (client, i) => i % 2 == 0
            ? queen.PutAsJsonAsync($"/api/v1/swarm/memory/bench/key-{client}", new { value = new { i } }, ct)
            : queen.GetAsync($"/api/v1/swarm/memory/bench/key-{client}", ct), ct));
        var mixed = operations / duration.TotalSeconds;

        Report.Section($"Ceiling: reads alone, one a request (a Redis GET behind the same HTTP path): 64 clients, {duration.TotalSeconds:F0} s");
        var ((reads, readLatencies, _), _, readCores) = await Phase.WithCpuAsync(() => ClosedLoop.RunAsync(64, duration,
            (client, _) => queen.GetAsync($"/api/v1/swarm/memory/bench/key-{client}", ct), ct));
        var ceiling = reads / duration.TotalSeconds;
        Report.Line($"reads alone: {ceiling,10:N0} operations/s; latency {readLatencies.Summary()}");
        Phase.PrintCpu(readCores);
        Report.Line($"half writes: {mixed,10:N0} operations/s ({mixed / ceiling:P0} of reads alone; target ≥ 10,000); latency {latencies.Summary()}");
        Phase.PrintCpu(cores);
    }

    private static async Task MemoryBatchesAsync(HttpClient queen, TimeSpan duration, CancellationToken ct)
    {
        const int BatchSize = 50;
        Report.Section($"Shared memory, batches of {BatchSize} (25 writes, 25 reads): 16 clients, {duration.TotalSeconds:F0} s");
        var (batches, latencies, _) = await ClosedLoop.RunAsync(16, duration, (client, i) =>
        {
            var batch = Enumerable.Range(0, BatchSize).Select(n => n % 2 == 0
                ? (object)new { op = "put", @namespace = "bench", key = $"batch-{client}-{n}", value = new { i } }
                : new { op = "get", @namespace = "bench", key = $"batch-{client}-{n - 1}" }).ToArray();
            return queen.PostAsJsonAsync("/api/v1/swarm/memory/batch", new { operations = batch }, ct);
        }, ct);
        Report.Line($"throughput: {batches * BatchSize / duration.TotalSeconds,10:N0} operations/s (target ≥ 20,000); latency per batch {latencies.Summary()}");
    }

    /// <summary>
    /// An instance holding a task goes silent (its last heartbeat is the start of the clock); another polls for work.
    /// Reports when the queen declared the silent one dead and when the other got its task.
    /// </summary>
    private static async Task DeadAgentAsync(HttpClient queen, Guid agentId, CancellationToken ct)
    {
        Report.Section("Dead agent: from its last heartbeat to declared dead, and to its task leased by another (3 trials)");
        for (var trial = 0; trial < 3; trial++)
        {
            var capability = $"probe-{Guid.NewGuid():N}";
            var (silent, rescuer) = (Guid.NewGuid(), Guid.NewGuid());
            foreach (var id in new[] { silent, rescuer })
            {
                using var registered = await queen.PutAsJsonAsync($"/api/v1/swarm/agents/{id}",
                    new { agent_id = agentId, capabilities = new[] { "noop", capability }, version = "bench" }, ct);
                registered.EnsureSuccessStatusCode();
            }

            using (var submitted = await queen.PostAsJsonAsync("/api/v1/swarm/tasks",
                       new { type = "noop", required_capabilities = new[] { capability } }, ct))
            {
                submitted.EnsureSuccessStatusCode();
            }

            using (var leased = await queen.PostAsync($"/api/v1/swarm/agents/{silent}/lease?lease_seconds=600", null, ct))
            {
                leased.EnsureSuccessStatusCode();
            }

            using (var lastBeat = await queen.PostAsync($"/api/v1/swarm/agents/{silent}/heartbeat", null, ct))
            {
                lastBeat.EnsureSuccessStatusCode();
            }

            var clock = Stopwatch.StartNew();
            TimeSpan? declaredDead = null;
            while (true)
            {
                using (var beat = await queen.PostAsync($"/api/v1/swarm/agents/{rescuer}/heartbeat", null, ct))
                {
                    beat.EnsureSuccessStatusCode();
                }

                declaredDead ??= await IsDeadAsync(queen, silent, ct) ? clock.Elapsed : null;
                using var leased = await queen.PostAsync($"/api/v1/swarm/agents/{rescuer}/lease", null, ct);
                if (leased.StatusCode == HttpStatusCode.OK)
                {
                    Report.Line($"trial {trial + 1}: declared dead after {declaredDead?.TotalSeconds:F2} s, task reassigned after {clock.Elapsed.TotalSeconds:F2} s " +
                        "(heartbeat timeout 10 s, sweep every 1 s)");
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            }
        }
    }

    private static async Task<bool> IsDeadAsync(HttpClient queen, Guid instanceId, CancellationToken ct) =>
        (await queen.GetFromJsonAsync<JsonElement>("/api/v1/swarm/agents", ct)).EnumerateArray()
        .Any(i => i.GetProperty("instance_id").GetGuid() == instanceId && i.GetProperty("state").GetString() == "dead");
}
