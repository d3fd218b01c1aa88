using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;

namespace Cognive.ApiService.Analytics;

/// <summary>Analytics read the hourly rollups; only latency percentiles need the raw calls of the window.</summary>
public sealed class AnalyticsQueries(NpgsqlDataSource db)
{
    public async Task<CostTrends> CostTrendsAsync(Guid teamId, CostTrendFilter filter, DateTimeOffset now, CancellationToken ct)
    {
        var from = AnalyticsWindows.From(now, AnalyticsWindows.Periods[filter.Period]);
        var series = new List<TrendSeries>();
        var points = new List<TrendPoint>();
        string? currentKey = null, currentLabel = null;
        await foreach (var row in TrendRowsAsync(teamId, filter, from, ct))
        {
            if (row.Key != currentKey && currentKey is not null)
            {
                series.Add(new TrendSeries(currentKey, currentLabel!, points.Sum(p => p.Cost), points));
                points = [];
            }

            (currentKey, currentLabel) = (row.Key, row.Label);
            points.Add(row.Point);
        }

        if (currentKey is not null)
        {
            series.Add(new TrendSeries(currentKey, currentLabel!, points.Sum(p => p.Cost), points));
        }

        return new CostTrends(filter.Period, filter.Bucket, filter.GroupBy, from, now, now, AnalyticsWindows.MaxStalenessSeconds,
            series.Sum(s => s.TotalCost), series.OrderByDescending(s => s.TotalCost).ToList());
    }

    /// <summary>The window's buckets per group as they come from PostgreSQL, ordered by group then bucket: what the CSV
    /// export streams without holding the answer in memory.</summary>
    public async IAsyncEnumerable<TrendRow> TrendRowsAsync(Guid teamId, CostTrendFilter filter, DateTimeOffset from,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var (key, label) = filter.GroupBy switch
        {
            "agent" => ("r.agent_id::text", "coalesce(a.name, r.agent_id::text)"),
            "provider" => ("r.provider", "r.provider"),
            _ => ("r.provider || '/' || r.model", "r.provider || '/' || r.model"),
        };
        await using var command = db.CreateCommand($"""
            SELECT date_trunc($3, r.bucket_start, 'UTC'), {key}, {label},
                   sum(r.calls), sum(r.input_tokens), sum(r.output_tokens), sum(r.cost), sum(r.unpriced_calls), sum(r.errors)
            FROM cost_rollups r LEFT JOIN agents a ON a.id = r.agent_id
            WHERE r.team_id = $1 AND r.bucket_start >= $2
              AND ($4::uuid IS NULL OR r.agent_id = $4) AND ($5::text IS NULL OR r.provider = $5) AND ($6::text IS NULL OR r.model = $6)
            GROUP BY 1, 2, 3
            ORDER BY 2, 1
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = filter.Bucket });
        command.Parameters.Add(new() { Value = (object?)filter.AgentId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = (object?)filter.Provider ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)filter.Model ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new TrendRow(reader.GetString(1), reader.GetString(2), new TrendPoint(reader.GetFieldValue<DateTimeOffset>(0),
                reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetDecimal(6), reader.GetInt64(7), reader.GetInt64(8)));
        }
    }

    public async Task<CostSummary> SummaryAsync(Guid teamId, string period, DateTimeOffset now, CancellationToken ct)
    {
        var from = AnalyticsWindows.From(now, AnalyticsWindows.Periods[period]);
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Command("""
            SELECT coalesce(sum(calls), 0)::bigint, coalesce(sum(errors), 0)::bigint, coalesce(sum(unpriced_calls), 0)::bigint,
                   coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint,
                   coalesce(sum(cached_input_tokens), 0)::bigint, coalesce(sum(cost), 0)
            FROM cost_rollups WHERE team_id = $1 AND bucket_start >= $2
            """, teamId, from));
        batch.BatchCommands.Add(Command("""
            SELECT provider, model, count(*), count(*) FILTER (WHERE status = 'error'), count(*) FILTER (WHERE cost IS NULL),
                   coalesce(sum(cost), 0),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)
            FROM llm_calls WHERE team_id = $1 AND occurred_at >= $2
            GROUP BY provider, model
            ORDER BY 6 DESC, 3 DESC
            """, teamId, from));
        batch.BatchCommands.Add(Command("""
            SELECT r.agent_id, a.name, sum(r.calls)::bigint, sum(r.cost)
            FROM cost_rollups r LEFT JOIN agents a ON a.id = r.agent_id
            WHERE r.team_id = $1 AND r.bucket_start >= $2
            GROUP BY r.agent_id, a.name
            ORDER BY 4 DESC, 3 DESC
            LIMIT 5
            """, teamId, from));

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (calls, errors, unpriced) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        var (input, output, cached, cost) = (reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetDecimal(6));
        await reader.NextResultAsync(ct);
        var models = new List<ModelUsage>();
        while (await reader.ReadAsync(ct))
        {
            models.Add(new ModelUsage(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetDecimal(5), reader.GetDouble(6), reader.GetDouble(7)));
        }

        await reader.NextResultAsync(ct);
        var agents = new List<AgentSpend>();
        while (await reader.ReadAsync(ct))
        {
            agents.Add(new AgentSpend(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                reader.GetDecimal(3)));
        }

        return new CostSummary(period, from, now, now, AnalyticsWindows.MaxStalenessSeconds, calls, errors,
            calls == 0 ? 0 : (double)errors / calls, unpriced, input, output, cached, cost, models, agents);
    }

    private static NpgsqlBatchCommand Command(string sql, Guid teamId, DateTimeOffset from) => new(sql)
    {
        Parameters = { new() { Value = teamId }, new() { Value = from } },
    };
}
