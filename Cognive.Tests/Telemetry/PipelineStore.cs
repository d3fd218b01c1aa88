using Npgsql;

namespace Cognive.Tests.Telemetry;

/// <summary>Reads a team's stored telemetry straight from PostgreSQL, to check that every total equals the raw rows.</summary>
public sealed class PipelineStore(string connectionString)
{
    public async Task<long> CountCallsAsync(Guid teamId, CancellationToken ct) =>
        (long)(await ScalarAsync("SELECT count(*) FROM llm_calls WHERE team_id = $1", teamId, ct))!;

    /// <summary>Each check is (what, raw sum, derived total); a consistent store has every pair equal.</summary>
    public async Task<IReadOnlyList<(string What, decimal Raw, decimal Derived)>> ConsistencyAsync(Guid teamId, CancellationToken ct)
    {
        return
        [
            ("distinct event ids = rows", await DecimalAsync("SELECT count(DISTINCT event_id) FROM llm_calls WHERE team_id = $1", teamId, ct),
                await DecimalAsync("SELECT count(*) FROM llm_calls WHERE team_id = $1", teamId, ct)),
            ("run call totals", await DecimalAsync("SELECT count(*) FROM llm_calls WHERE team_id = $1", teamId, ct),
                await DecimalAsync("SELECT coalesce(sum(calls), 0) FROM agent_runs WHERE team_id = $1", teamId, ct)),
            ("run token totals", await DecimalAsync("SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM llm_calls WHERE team_id = $1", teamId, ct),
                await DecimalAsync("SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM agent_runs WHERE team_id = $1", teamId, ct)),
            ("run cost totals", await CostAsync(teamId, ct),
                await DecimalAsync("SELECT coalesce(sum(cost), 0) FROM agent_runs WHERE team_id = $1", teamId, ct)),
            ("rollup calls", await DecimalAsync("SELECT count(*) FROM llm_calls WHERE team_id = $1", teamId, ct),
                await DecimalAsync("SELECT coalesce(sum(calls), 0) FROM cost_rollups WHERE team_id = $1", teamId, ct)),
            ("rollup cost", await CostAsync(teamId, ct),
                await DecimalAsync("SELECT coalesce(sum(cost), 0) FROM cost_rollups WHERE team_id = $1", teamId, ct)),
            ("daily spend", await CostAsync(teamId, ct),
                await DecimalAsync("SELECT coalesce(sum(cost), 0) FROM team_daily_spend WHERE team_id = $1", teamId, ct)),
        ];
    }

    public Task<decimal> CostAsync(Guid teamId, CancellationToken ct) =>
        DecimalAsync("SELECT coalesce(sum(cost), 0) FROM llm_calls WHERE team_id = $1", teamId, ct);

    public async Task<IReadOnlySet<Guid>> EventIdsAsync(Guid teamId, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var command = db.CreateCommand("SELECT event_id FROM llm_calls WHERE team_id = $1");
        command.Parameters.Add(new() { Value = teamId });
        var ids = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private async Task<decimal> DecimalAsync(string sql, Guid teamId, CancellationToken ct) =>
        Convert.ToDecimal(await ScalarAsync(sql, teamId, ct));

    private async Task<object?> ScalarAsync(string sql, Guid teamId, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new() { Value = teamId });
        return await command.ExecuteScalarAsync(ct);
    }
}
