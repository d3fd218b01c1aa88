using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Cognive.ApiService.LlmCalls;

/// <summary>A run's stored calls, oldest first, read straight from the partitioned table.</summary>
public sealed class CallStore(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<StoredCall>> ListAsync(Guid teamId, Guid runId, CallCursor? after, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT event_id, provider, model, input_tokens, output_tokens, cached_input_tokens, latency_ms, status, cost,
                   occurred_at, received_at, metadata, flag
            FROM llm_calls
            WHERE run_id = $1 AND team_id = $2 AND ($3::timestamptz IS NULL OR (occurred_at, event_id) > ($3, $4))
            ORDER BY occurred_at, event_id
            LIMIT $5
            """);
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = (object?)after?.OccurredAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = after?.EventId ?? Guid.Empty });
        command.Parameters.Add(new() { Value = limit });
        var calls = new List<StoredCall>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            decimal? cost = reader.IsDBNull(8) ? null : reader.GetDecimal(8);
            calls.Add(new StoredCall(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt32(6), reader.GetString(7), cost, cost is not null,
                reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10),
                reader.IsDBNull(11) ? null : JsonDocument.Parse(reader.GetString(11)).RootElement.Clone(),
                reader.IsDBNull(12) ? null : reader.GetString(12)));
        }

        return calls;
    }
}

/// <summary>Where a page of calls ended: the last call's time (microseconds) and id.</summary>
public sealed record CallCursor(DateTimeOffset OccurredAt, Guid EventId)
{
    public override string ToString() =>
        $"{(OccurredAt - DateTimeOffset.UnixEpoch).Ticks / 10}_{EventId:N}";

    public static CallCursor? Parse(string text)
    {
        var parts = text.Split('_');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
               && Guid.TryParseExact(parts[1], "N", out var id)
            ? new CallCursor(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id)
            : null;
    }
}
