using System.Diagnostics;
using System.Net.Http.Json;
using Cognive.SwarmQueen.Tasks;
using Npgsql;

namespace Cognive.Bench;

/// <summary>
/// The swarm's raw PostgreSQL ceiling: the queen's own lease statement (<see cref="TaskQueue.LeaseSql"/>) run straight
/// from here on one connection per instance, no HTTP, no queen, until a queue of tasks is empty — what the queen's
/// task throughput and lease round trip compare with in the same run.
/// </summary>
public static class SwarmCeiling
{
    public static async Task<(double LeasesPerSecond, Latencies Latencies)> LeaseStatementAsync(BenchApp app, HttpClient queen,
        Guid agentId, int instances, int tasks, CancellationToken ct)
    {
        // A capability of its own, so the queen's other instances of the team never see these tasks.
        var capability = $"ceiling-{Guid.NewGuid():N}";
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            for (var i = worker; i < tasks; i += 8)
            {
                using var submitted = await queen.PostAsJsonAsync("/api/v1/swarm/tasks",
                    new { type = "noop", priority = i % 10, required_capabilities = new[] { capability } }, ct);
                submitted.EnsureSuccessStatusCode();
            }
        }));

        var ids = new List<Guid>();
        for (var i = 0; i < instances; i++)
        {
            var id = Guid.NewGuid();
            // Room for every task: the statement's room check runs, but never stops the drain.
            using var registered = await queen.PutAsJsonAsync($"/api/v1/swarm/agents/{id}",
                new { agent_id = agentId, capabilities = new[] { capability }, version = "bench-ceiling", max_concurrency = 1000 }, ct);
            registered.EnsureSuccessStatusCode();
            ids.Add(id);
        }

        await using var db = NpgsqlDataSource.Create(await app.ConnectionStringAsync("cognive", ct));
        var teamId = await TeamOfAsync(db, ids[0], ct);
        var latencies = new Latencies();
        var leased = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(ids.Select(async instance =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            while (true)
            {
                await using var lease = new NpgsqlCommand(TaskQueue.LeaseSql, connection)
                {
                    Parameters =
                    {
                        new() { Value = teamId }, new() { Value = instance }, new() { Value = TimeSpan.FromMinutes(10) },
                    },
                };
                var started = Stopwatch.GetTimestamp();
                await using var reader = await lease.ExecuteReaderAsync(ct);
                var got = await reader.ReadAsync(ct);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!got)
                {
                    return;
                }

                Interlocked.Increment(ref leased);
            }
        }));
        var perSecond = leased / clock.Elapsed.TotalSeconds;

        // The ceiling's instances leave and its leased tasks are cancelled, so the sweeper never recovers either.
        await using var cleanup = db.CreateCommand("""
            UPDATE swarm_tasks SET state = 'Cancelled', finished_at = now(), instance_id = NULL, lease_expires_at = NULL
            WHERE team_id = $1 AND instance_id = ANY($2);
            """);
        cleanup.Parameters.Add(new() { Value = teamId });
        cleanup.Parameters.Add(new() { Value = ids.ToArray() });
        await cleanup.ExecuteNonQueryAsync(ct);
        foreach (var id in ids)
        {
            using var left = await queen.DeleteAsync($"/api/v1/swarm/agents/{id}", ct);
        }

        return (perSecond, latencies);
    }

    private static async Task<Guid> TeamOfAsync(NpgsqlDataSource db, Guid instance, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT team_id FROM swarm_instances WHERE id = $1");
        command.Parameters.Add(new() { Value = instance });
        return (Guid)(await command.ExecuteScalarAsync(ct))!;
    }
}
