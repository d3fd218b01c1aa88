using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Cognive.Data.Telemetry;
using Npgsql;

namespace Cognive.Gateway.Calls;

/// <summary>
/// Calls that name no run go to the agent's gateway run of the day (UTC): one run per agent and day however many gateway
/// replicas forward its calls. The first call of the day on a replica finds or starts the run in one transaction under a
/// PostgreSQL advisory lock on (team, agent, day): replicas racing on it wait for each other, and the later ones find the
/// run the first started (each statement reads a fresh snapshot). Each replica then remembers it for the day. The run is
/// marked <c>{"started_by": "gateway", "gateway_day": "yyyy-MM-dd"}</c>, and only an active agent of the team gets one.
/// </summary>
public sealed class DailyRuns(NpgsqlDataSource db, TimeProvider time)
{
    private readonly ConcurrentDictionary<(Guid TeamId, Guid AgentId, DateOnly Day), Task<Guid?>> _runs = new();

    /// <summary>The run, or null when the team has no such active agent.</summary>
    public Task<Guid?> OfTodayAsync(Guid teamId, Guid agentId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        // Not cancelled with the request that happened to start it: other requests wait for the same run.
        var run = _runs.GetOrAdd((teamId, agentId, day), key => FindOrStartAsync(key.TeamId, key.AgentId, key.Day, now));
        if (run.IsFaulted || run.IsCanceled || run is { IsCompletedSuccessfully: true, Result: null })
        {
            _runs.TryRemove(new((teamId, agentId, day), run));
        }

        foreach (var stale in _runs.Keys.Where(k => k.Day < day))
        {
            _runs.TryRemove(stale, out _);
        }

        return run.WaitAsync(ct);
    }

    private async Task<Guid?> FindOrStartAsync(Guid teamId, Guid agentId, DateOnly day, DateTimeOffset now)
    {
        var dayText = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var (runId, startedAt) = RunIds.Mint(now);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var locking = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            locking.Parameters.Add(new() { Value = LockKey(teamId, agentId, dayText) });
            await locking.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("""
            WITH found AS (
                SELECT id FROM agent_runs
                WHERE team_id = $1 AND agent_id = $2 AND started_at >= $3::date AND started_at < $3::date + 1
                  AND metadata @> jsonb_build_object('started_by', 'gateway', 'gateway_day', $3::text)
                ORDER BY started_at LIMIT 1
            ), made AS (
                INSERT INTO agent_runs (id, team_id, agent_id, status, metadata, started_at)
                SELECT $4, $1, $2, 'running', jsonb_build_object('started_by', 'gateway', 'gateway_day', $3::text), $5
                WHERE NOT EXISTS (SELECT 1 FROM found)
                  AND EXISTS (SELECT 1 FROM agents WHERE id = $2 AND team_id = $1 AND status = 'Active')
                RETURNING id
            )
            SELECT id FROM found UNION ALL SELECT id FROM made
            """, connection, transaction);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = agentId });
        command.Parameters.Add(new() { Value = dayText });
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = startedAt });
        var id = await command.ExecuteScalarAsync() as Guid?;
        await transaction.CommitAsync();
        return id;
    }

    /// <summary>64 bits of a hash: two pairs sharing a key only take turns.</summary>
    private static long LockKey(Guid teamId, Guid agentId, string day) =>
        BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"gateway-day-run:{teamId}:{agentId}:{day}")));
}
