using Cognive.Ingestion;
using Npgsql;
using NpgsqlTypes;

namespace Cognive.Workers.Ingestion;

/// <summary>
/// Stores a batch of calls in one transaction: binary COPY into a staging table, then one statement that keeps the
/// events not seen before (per team and event id), prices them with the version in force when they occurred, inserts
/// them, and adds exactly those to run totals, hourly rollups and daily spend. A redelivered batch finds its events
/// seen and adds nothing, so every total stays equal to the sum over the stored rows.
/// </summary>
public sealed class CallWriter(NpgsqlDataSource db)
{
    private const string CreateStagingSql = """
        CREATE TEMP TABLE IF NOT EXISTS llm_call_staging (
            event_id uuid, team_id uuid, run_id uuid, agent_id uuid, provider text, model text,
            input_tokens bigint, output_tokens bigint, cached_input_tokens bigint, latency_ms integer, status text,
            occurred_at timestamptz, received_at timestamptz, metadata jsonb, flag text
        ) ON COMMIT DELETE ROWS
        """;

    private const string CopySql = """
        COPY llm_call_staging (event_id, team_id, run_id, agent_id, provider, model, input_tokens, output_tokens,
            cached_input_tokens, latency_ms, status, occurred_at, received_at, metadata, flag) FROM STDIN (FORMAT BINARY)
        """;

    private const string StoreSql = """
        WITH incoming AS (
            SELECT DISTINCT ON (team_id, event_id) * FROM llm_call_staging ORDER BY team_id, event_id, received_at
        ), fresh AS (
            INSERT INTO llm_call_keys (team_id, event_id, occurred_at)
            SELECT team_id, event_id, occurred_at FROM incoming
            ON CONFLICT DO NOTHING
            RETURNING team_id, event_id
        ), priced AS (
            -- The newest version in force when the call occurred, found with one hash join for the whole batch: a
            -- lookup per call made the statement ~25 % slower on batches of 5,000 (README, "Performance notes").
            SELECT DISTINCT ON (i.team_id, i.event_id) i.*, p.id AS price_id,
                   (i.input_tokens - i.cached_input_tokens) * p.input_per_million / 1000000
                   + i.cached_input_tokens * coalesce(p.cached_input_per_million, p.input_per_million) / 1000000
                   + i.output_tokens * p.output_per_million / 1000000 AS cost
            FROM incoming i
            JOIN fresh f ON f.team_id = i.team_id AND f.event_id = i.event_id
            LEFT JOIN model_prices p ON p.provider = i.provider AND p.model = i.model
                AND p.effective_from <= i.occurred_at AND (p.effective_to IS NULL OR p.effective_to > i.occurred_at)
            ORDER BY i.team_id, i.event_id, p.effective_from DESC
        ), stored AS (
            INSERT INTO llm_calls (event_id, team_id, run_id, agent_id, provider, model, input_tokens, output_tokens,
                cached_input_tokens, latency_ms, status, cost, price_id, metadata, occurred_at, received_at, flag)
            SELECT event_id, team_id, run_id, agent_id, provider, model, input_tokens, output_tokens,
                cached_input_tokens, latency_ms, status, cost, price_id, metadata, occurred_at, received_at, flag
            FROM priced
            RETURNING team_id, run_id, agent_id, provider, model, input_tokens, output_tokens, cached_input_tokens,
                latency_ms, status, cost, occurred_at, received_at, stored_at
        ), run_totals AS (
            UPDATE agent_runs r SET
                calls = r.calls + t.calls, input_tokens = r.input_tokens + t.input_tokens,
                output_tokens = r.output_tokens + t.output_tokens,
                cached_input_tokens = r.cached_input_tokens + t.cached_input_tokens,
                cost = r.cost + t.cost, errors = r.errors + t.errors, unpriced_calls = r.unpriced_calls + t.unpriced_calls
            FROM (SELECT run_id, count(*) AS calls, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
                         sum(cached_input_tokens) AS cached_input_tokens, coalesce(sum(cost), 0) AS cost,
                         count(*) FILTER (WHERE status = 'error') AS errors, count(*) FILTER (WHERE cost IS NULL) AS unpriced_calls
                  FROM stored GROUP BY run_id) t
            WHERE r.id = t.run_id
        ), rollups AS (
            INSERT INTO cost_rollups AS c (team_id, bucket_start, agent_id, provider, model, calls, errors, unpriced_calls,
                input_tokens, output_tokens, cached_input_tokens, cost, latency_ms_sum)
            SELECT team_id, date_trunc('hour', occurred_at, 'UTC'), agent_id, provider, model, count(*),
                   count(*) FILTER (WHERE status = 'error'), count(*) FILTER (WHERE cost IS NULL), sum(input_tokens),
                   sum(output_tokens), sum(cached_input_tokens), coalesce(sum(cost), 0), sum(latency_ms)
            FROM stored GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (team_id, bucket_start, agent_id, provider, model) DO UPDATE SET
                calls = c.calls + excluded.calls, errors = c.errors + excluded.errors,
                unpriced_calls = c.unpriced_calls + excluded.unpriced_calls, input_tokens = c.input_tokens + excluded.input_tokens,
                output_tokens = c.output_tokens + excluded.output_tokens,
                cached_input_tokens = c.cached_input_tokens + excluded.cached_input_tokens,
                cost = c.cost + excluded.cost, latency_ms_sum = c.latency_ms_sum + excluded.latency_ms_sum
        ), spend AS (
            INSERT INTO team_daily_spend AS d (team_id, day, calls, unpriced_calls, cost)
            SELECT team_id, (occurred_at AT TIME ZONE 'UTC')::date, count(*), count(*) FILTER (WHERE cost IS NULL),
                   coalesce(sum(cost), 0)
            FROM stored GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (team_id, day) DO UPDATE SET
                calls = d.calls + excluded.calls, unpriced_calls = d.unpriced_calls + excluded.unpriced_calls,
                cost = d.cost + excluded.cost
        )
        SELECT extract(epoch FROM stored_at - received_at)::float8 FROM stored
        """;

    /// <summary>
    /// The workers' connections are not reset when they go back to the pool. With prepared statements Npgsql's reset ends
    /// in DISCARD TEMP, so every stored batch created the staging table again (rows in pg_class, pg_type and
    /// pg_attribute, a file, a cache invalidation in every backend), planned the statement that reads it again, and kept
    /// autovacuum busy on the catalog. The workers keep no other session state (no SET, LISTEN or session-level advisory
    /// lock), so the table now lives as long as its connection, emptied at each commit.
    /// </summary>
    public static NpgsqlDataSourceBuilder KeepStagingTable(NpgsqlDataSourceBuilder dataSource)
    {
        dataSource.ConnectionStringBuilder.NoResetOnClose = true;
        return dataSource;
    }

    /// <summary>Stores the events; returns the end-to-end lag (accepted → stored) of each newly stored one.</summary>
    public async Task<IReadOnlyList<double>> StoreAsync(IReadOnlyCollection<LlmCallEvent> events, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand(CreateStagingSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(CopySql, ct))
        {
            foreach (var call in events)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(call.EventId, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(call.TeamId, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(call.RunId, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(call.AgentId, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(call.Provider, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(call.Model, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(call.InputTokens, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(call.OutputTokens, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(call.CachedInputTokens, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(call.LatencyMs, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(call.Status, NpgsqlDbType.Text, ct);
                await importer.WriteAsync(call.OccurredAt, NpgsqlDbType.TimestampTz, ct);
                await importer.WriteAsync(call.ReceivedAt, NpgsqlDbType.TimestampTz, ct);
                if (call.Metadata is { } metadata)
                {
                    await importer.WriteAsync(metadata.GetRawText(), NpgsqlDbType.Jsonb, ct);
                }
                else
                {
                    await importer.WriteNullAsync(ct);
                }

                await WriteNullableTextAsync(importer, call.Flag, ct);
            }

            await importer.CompleteAsync(ct);
        }

        var lags = new List<double>(events.Count);
        await using (var store = new NpgsqlCommand(StoreSql, connection, transaction))
        await using (var reader = await store.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                lags.Add(reader.GetDouble(0));
            }
        }

        await transaction.CommitAsync(ct);
        return lags;
    }

    private static Task WriteNullableTextAsync(NpgsqlBinaryImporter importer, string? text, CancellationToken ct) =>
        text is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(text, NpgsqlDbType.Text, ct);

    /// <summary>
    /// Whether a failure is the data's fault (it will fail again, whatever the retry) rather than the database's
    /// (down, restarting, a deadlock): only the former may count toward dead-lettering a message.
    /// </summary>
    public static bool IsCausedByData(Exception e) =>
        e is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal));
}
