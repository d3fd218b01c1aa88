using System.Collections.Concurrent;
using Cognive.Data.Telemetry;
using Npgsql;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// One run per trace. The first export that brings a GenAI span of a trace creates the run: its agent is that span's
/// agent, its start the earliest span start of the trace in that export. The run is keyed by (team, trace id) in
/// <c>otel_trace_runs</c>; the key and the run are inserted by one statement, <c>ON CONFLICT DO NOTHING</c>, and read
/// back by the next (a fresh snapshot), so concurrent exports of one trace, on any replica, share one run. The
/// trace's root span (a span without a parent, GenAI or not) ends the run at its end time: <c>failed</c> when its
/// status is an error, else <c>succeeded</c>. Calls of a trace exported after its root still count in the run.
/// </summary>
public sealed class OtlpRuns(NpgsqlDataSource db)
{
    private const int MaxRemembered = 200_000;
    private const string DeadlockDetected = "40P01";

    private const string ReadSql = "SELECT trace_id, run_id FROM otel_trace_runs WHERE team_id = $1 AND trace_id = ANY($2)";

    /// <summary>Trace → run: never changes once made, so it needs no expiry.</summary>
    private readonly ConcurrentDictionary<(Guid Team, Guid Trace), Guid> _runs = new();

    /// <summary>
    /// The runs of <paramref name="traces"/> (trace id → run id), made for the traces seen for the first time, and the runs
    /// of <paramref name="roots"/> ended. A run made here with its root in hand is made ended: one statement and one
    /// commit for an export that brings whole traces, as an SDK's batch processor usually sends them.
    /// </summary>
    public async Task<Dictionary<Guid, Guid>> ResolveAsync(Guid teamId, IReadOnlyCollection<TraceStart> traces,
        IReadOnlyCollection<TraceEnd> roots, CancellationToken ct)
    {
        var runs = new Dictionary<Guid, Guid>();
        var missing = new List<TraceStart>();
        foreach (var trace in traces)
        {
            if (_runs.TryGetValue((teamId, trace.TraceId), out var runId))
            {
                runs[trace.TraceId] = runId;
            }
            else
            {
                missing.Add(trace);
            }
        }

        var endedAtStart = new HashSet<Guid>();
        if (missing.Count > 0)
        {
            var ends = new Dictionary<Guid, TraceEnd>();
            foreach (var root in roots)
            {
                ends[root.TraceId] = root;
            }

            // Sorted trace ids take the key's index locks in one order; a deadlock with a writer of another order is retried.
            missing.Sort((a, b) => a.TraceId.CompareTo(b.TraceId));
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    endedAtStart = await CreateAndReadAsync(teamId, missing, ends, runs, ct);
                    break;
                }
                catch (PostgresException e) when (e.SqlState == DeadlockDetected && attempt < 3)
                {
                }
            }

            Remember(teamId, missing.Select(t => (t.TraceId, runs[t.TraceId])));
        }

        var toEnd = roots.Where(root => !endedAtStart.Contains(root.TraceId)).ToList();
        if (toEnd.Count > 0)
        {
            await EndAsync(teamId, toEnd, runs, ct);
        }

        return runs;
    }

    /// <summary>Ends the runs of roots whose runs exist already; runs that ended already keep their end.</summary>
    private async Task EndAsync(Guid teamId, List<TraceEnd> roots, Dictionary<Guid, Guid> known, CancellationToken ct)
    {
        var runs = new Dictionary<Guid, Guid>();
        var unknown = new List<Guid>();
        foreach (var root in roots)
        {
            if (known.TryGetValue(root.TraceId, out var runId) || _runs.TryGetValue((teamId, root.TraceId), out runId))
            {
                runs[root.TraceId] = runId;
            }
            else
            {
                unknown.Add(root.TraceId);
            }
        }

        if (unknown.Count > 0)
        {
            var found = await ReadAsync(teamId, unknown, ct);
            Remember(teamId, found.Select(pair => (pair.Key, pair.Value)));
            foreach (var (traceId, runId) in found)
            {
                runs[traceId] = runId;
            }
        }

        // Every run id here was minted by this class, so each carries its start.
        var ends = roots.Where(root => runs.ContainsKey(root.TraceId))
            .Select(root => (RunId: runs[root.TraceId], StartedAt: RunIds.StartedAt(runs[root.TraceId])!.Value, Root: root))
            .ToList();
        if (ends.Count == 0)
        {
            return;
        }

        // The whole primary key, the start taken from the run id: one index probe per run in one partition whatever
        // the statistics say. Joined through otel_trace_runs instead, a month's fresh, unanalyzed partition made each
        // run a scan of the team's runs (145 ms for the 32 runs of one export; README, "Performance notes").
        await using var command = db.CreateCommand("""
            UPDATE agent_runs r SET status = e.status, ended_at = greatest(e.ended_at, r.started_at)
            FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::timestamptz[]) AS e(run_id, started_at, status, ended_at)
            WHERE r.id = e.run_id AND r.started_at = e.started_at AND r.team_id = $1 AND r.ended_at IS NULL
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = ends.Select(e => e.RunId).ToArray() });
        command.Parameters.Add(new() { Value = ends.Select(e => e.StartedAt).ToArray() });
        command.Parameters.Add(new() { Value = ends.Select(e => e.Root.Status).ToArray() });
        command.Parameters.Add(new() { Value = ends.Select(e => e.Root.EndedAt).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    private void Remember(Guid teamId, IEnumerable<(Guid TraceId, Guid RunId)> pairs)
    {
        if (_runs.Count >= MaxRemembered)
        {
            _runs.Clear();
        }

        foreach (var (traceId, runId) in pairs)
        {
            _runs[(teamId, traceId)] = runId;
        }
    }

    private async Task<Dictionary<Guid, Guid>> ReadAsync(Guid teamId, List<Guid> traceIds, CancellationToken ct)
    {
        await using var command = db.CreateCommand(ReadSql);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = traceIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var runs = new Dictionary<Guid, Guid>();
        await ReadRunsAsync(reader, runs, ct);
        return runs;
    }

    /// <summary>The (trace id, run id) rows of <see cref="ReadSql"/>, into <paramref name="runs"/>.</summary>
    private static async Task ReadRunsAsync(NpgsqlDataReader reader, Dictionary<Guid, Guid> runs, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct))
        {
            runs[reader.GetGuid(0)] = reader.GetGuid(1);
        }
    }

    /// <returns>The traces whose runs this call made ended (their roots were in <paramref name="ends"/>).</returns>
    private async Task<HashSet<Guid>> CreateAndReadAsync(Guid teamId, List<TraceStart> traces, Dictionary<Guid, TraceEnd> ends,
        Dictionary<Guid, Guid> runs, CancellationToken ct)
    {
        var traceIds = traces.Select(t => t.TraceId).ToArray();
        var minted = traces.Select(t => RunIds.Mint(t.StartedAt).Id).ToArray();
        var rootOf = traces.Select(t => ends.TryGetValue(t.TraceId, out var root) ? root : (TraceEnd?)null).ToArray();
        await using var batch = db.CreateBatch();
        var create = new NpgsqlBatchCommand("""
            WITH incoming AS (
                SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::text[], $7::timestamptz[])
                    AS t(trace_id, run_id, agent_id, started_at, status, ended_at)
            ), fresh AS (
                INSERT INTO otel_trace_runs (team_id, trace_id, run_id)
                SELECT $1, trace_id, run_id FROM incoming ORDER BY trace_id
                ON CONFLICT DO NOTHING
                RETURNING trace_id
            )
            INSERT INTO agent_runs (id, team_id, agent_id, status, metadata, started_at, ended_at)
            SELECT i.run_id, $1, i.agent_id, coalesce(i.status, 'running'),
                   jsonb_build_object('otel_trace_id', replace(i.trace_id::text, '-', '')), i.started_at,
                   CASE WHEN i.ended_at IS NOT NULL THEN greatest(i.ended_at, i.started_at) END
            FROM incoming i JOIN fresh f ON f.trace_id = i.trace_id
            """);
        create.Parameters.Add(new() { Value = teamId });
        create.Parameters.Add(new() { Value = traceIds });
        create.Parameters.Add(new() { Value = minted });
        create.Parameters.Add(new() { Value = traces.Select(t => t.AgentId).ToArray() });
        create.Parameters.Add(new() { Value = traces.Select(t => t.StartedAt).ToArray() });
        create.Parameters.Add(new() { Value = rootOf.Select(root => root?.Status).ToArray() });
        create.Parameters.Add(new() { Value = rootOf.Select(root => root?.EndedAt).ToArray() });
        batch.BatchCommands.Add(create);
        var read = new NpgsqlBatchCommand(ReadSql);
        read.Parameters.Add(new() { Value = teamId });
        read.Parameters.Add(new() { Value = traceIds });
        batch.BatchCommands.Add(read);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await ReadRunsAsync(reader, runs, ct);

        // A run is this call's when the stored id is the one it minted; another export's run is ended by EndAsync.
        return traces.Where((trace, i) => rootOf[i] is not null && runs[trace.TraceId] == minted[i]).Select(t => t.TraceId).ToHashSet();
    }
}

/// <param name="StartedAt">Whole milliseconds: the run id carries it, and lookups by id rely on the two being equal.</param>
public readonly record struct TraceStart(Guid TraceId, Guid AgentId, DateTimeOffset StartedAt);

public readonly record struct TraceEnd(Guid TraceId, bool Failed, DateTimeOffset EndedAt)
{
    public string Status => Failed ? "failed" : "succeeded";
}
