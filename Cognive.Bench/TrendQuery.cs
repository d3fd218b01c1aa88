using System.Diagnostics;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.Bench;

/// <summary>
/// The cost-trends query over a team with millions of calls: the calls are generated in PostgreSQL over the last
/// 30 days, rolled up the way the workers roll them up, and the query is timed through the API, cache bypassed.
/// </summary>
public static class TrendQuery
{
    public static async Task SeedAsync(string connectionString, Guid teamId, long calls, CancellationToken ct)
    {
        await using var db = NpgsqlDataSourceBuilderFor(connectionString);
        await using var batch = db.CreateBatch();
        batch.Timeout = 0;
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO llm_calls (event_id, team_id, run_id, agent_id, provider, model, input_tokens, output_tokens,
                cached_input_tokens, latency_ms, status, cost, occurred_at, received_at)
            SELECT gen_random_uuid(), $1, $1, ('00000000-0000-0000-0000-00000000000' || (g % 10))::uuid, 'openai',
                   (ARRAY['gpt-4o-mini','gpt-4o','gpt-4.1','o4-mini','gpt-4.1-mini'])[1 + g % 5], 1000, 200, 0, 500,
                   'success', 0.0003, t, t
            FROM generate_series(1, $2) g,
                 LATERAL (SELECT now() - (g::float8 / $2) * interval '29 days 23 hours') AS at(t)
            """) { Parameters = { new() { Value = teamId }, new() { Value = calls } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO cost_rollups (team_id, bucket_start, agent_id, provider, model, calls, errors, unpriced_calls,
                input_tokens, output_tokens, cached_input_tokens, cost, latency_ms_sum)
            SELECT team_id, date_trunc('hour', occurred_at, 'UTC'), agent_id, provider, model, count(*), 0, 0,
                   sum(input_tokens), sum(output_tokens), 0, sum(cost), sum(latency_ms)
            FROM llm_calls WHERE team_id = $1 GROUP BY 1, 2, 3, 4, 5
            """) { Parameters = { new() { Value = teamId } } });
        await batch.ExecuteNonQueryAsync(ct);

        // Timing starts once the seeding's aftermath (autovacuum of 10 million fresh rows) is done, not during it.
        await using var vacuum = db.CreateCommand("VACUUM (ANALYZE) llm_calls, cost_rollups");
        await vacuum.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Times cost-trends through the API, dropping the cached answer before each request.</summary>
    public static async Task<(Latencies Uncached, Latencies Cached)> TimeAsync(HttpClient client, string redisConnection, Guid teamId,
        int repeats, CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisConnection);
        var (uncached, cached) = (new Latencies(), new Latencies());
        const string Path = "/api/v1/analytics/cost-trends?period=30d&bucket=day&group_by=model";
        for (var i = 0; i < repeats; i++)
        {
            await redis.GetDatabase().KeyDeleteAsync($"cognive:analytics:cost-trends:{teamId:N}:30d:day:model");
            uncached.Add(await TimeGetAsync(client, Path, ct));
            cached.Add(await TimeGetAsync(client, Path, ct));
        }

        return (uncached, cached);
    }

    private static async Task<double> TimeGetAsync(HttpClient client, string path, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(path, ct);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(ct);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static NpgsqlDataSource NpgsqlDataSourceBuilderFor(string connectionString) =>
        new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { CommandTimeout = 0 } }.Build();
}
