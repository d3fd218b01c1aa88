using System.Text.Json;
using Cognive.Data.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Cognive.ApiService.Runs;

/// <summary>Runs in PostgreSQL, always within one team. Every lookup names the run's partition through its id.</summary>
public sealed class RunStore(NpgsqlDataSource db)
{
    private const string Columns = """
        id, agent_id, status, error, metadata, started_at, ended_at,
        calls, input_tokens, output_tokens, cached_input_tokens, cost, errors, unpriced_calls
        """;

    public async Task InsertAsync(Guid teamId, Guid runId, Guid agentId, DateTimeOffset startedAt, JsonElement? metadata,
        CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO agent_runs (id, team_id, agent_id, status, metadata, started_at)
            VALUES ($1, $2, $3, 'running', $4, $5)
            """);
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = agentId });
        command.Parameters.Add(Jsonb(metadata));
        command.Parameters.Add(new() { Value = startedAt });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<RunResponse?> FindAsync(Guid teamId, Guid runId, DateTimeOffset now, CancellationToken ct)
    {
        if (RunIds.StartedAt(runId) is not { } startedAt)
        {
            return null;
        }

        await using var command = db.CreateCommand($"SELECT {Columns} FROM agent_runs WHERE id = $1 AND started_at = $2 AND team_id = $3");
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = startedAt });
        command.Parameters.Add(new() { Value = teamId });
        return (await ReadAsync(command, now, ct)).SingleOrDefault();
    }

    /// <summary>Ends a running run; null when the team has no such run or it had ended already.</summary>
    public async Task<RunResponse?> EndAsync(Guid teamId, Guid runId, string status, string? error, DateTimeOffset now,
        CancellationToken ct)
    {
        if (RunIds.StartedAt(runId) is not { } startedAt)
        {
            return null;
        }

        await using var command = db.CreateCommand($"""
            UPDATE agent_runs SET status = $4, error = $5, ended_at = $6
            WHERE id = $1 AND started_at = $2 AND team_id = $3 AND ended_at IS NULL
            RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = startedAt });
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = status });
        command.Parameters.Add(new() { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = now });
        return (await ReadAsync(command, now, ct)).SingleOrDefault();
    }

    /// <summary>An agent's runs, newest first; <paramref name="before"/> is the last run id of the previous page.</summary>
    public async Task<IReadOnlyList<RunResponse>> ListAsync(Guid teamId, Guid agentId, Guid? before, int limit,
        DateTimeOffset now, CancellationToken ct)
    {
        var beforeStarted = before is { } cursor ? RunIds.StartedAt(cursor) : null;
        await using var command = db.CreateCommand($"""
            SELECT {Columns} FROM agent_runs
            WHERE team_id = $1 AND agent_id = $2 AND ($3::timestamptz IS NULL OR (started_at, id) < ($3, $4))
            ORDER BY started_at DESC, id DESC
            LIMIT $5
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = agentId });
        command.Parameters.Add(new() { Value = (object?)beforeStarted ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = before ?? Guid.Empty });
        command.Parameters.Add(new() { Value = limit });
        return await ReadAsync(command, now, ct);
    }

    /// <summary>Who a run belongs to and whether it still takes calls; null when there is no such run.</summary>
    public async Task<RunOwner?> FindOwnerAsync(Guid runId, CancellationToken ct)
    {
        if (RunIds.StartedAt(runId) is not { } startedAt)
        {
            return null;
        }

        await using var command = db.CreateCommand("SELECT team_id, agent_id, ended_at IS NOT NULL FROM agent_runs WHERE id = $1 AND started_at = $2");
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = startedAt });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new RunOwner(reader.GetGuid(0), reader.GetGuid(1), reader.GetBoolean(2)) : null;
    }

    private static NpgsqlParameter Jsonb(JsonElement? value) => new()
    {
        Value = value is { ValueKind: not JsonValueKind.Null } json ? json.GetRawText() : DBNull.Value,
        NpgsqlDbType = NpgsqlDbType.Jsonb,
    };

    private static async Task<List<RunResponse>> ReadAsync(NpgsqlCommand command, DateTimeOffset now, CancellationToken ct)
    {
        var runs = new List<RunResponse>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var startedAt = reader.GetFieldValue<DateTimeOffset>(5);
            DateTimeOffset? endedAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6);
            runs.Add(new RunResponse(
                RunId: reader.GetGuid(0),
                AgentId: reader.GetGuid(1),
                Status: reader.GetString(2),
                Error: reader.IsDBNull(3) ? null : reader.GetString(3),
                Metadata: reader.IsDBNull(4) ? null : JsonDocument.Parse(reader.GetString(4)).RootElement.Clone(),
                StartedAt: startedAt,
                EndedAt: endedAt,
                DurationSeconds: ((endedAt ?? now) - startedAt).TotalSeconds,
                Totals: new RunTotals(reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10),
                    reader.GetDecimal(11), reader.GetInt64(12), reader.GetInt64(13))));
        }

        return runs;
    }
}

public sealed record RunOwner(Guid TeamId, Guid AgentId, bool Ended);
