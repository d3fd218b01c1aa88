using System.Globalization;
using Cognive.Data.Budgets;
using Cognive.Governance.Budgets;
using Cognive.Tests.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.Tests.Telemetry;

/// <summary>Reads a team's stored telemetry straight from the servers, to check that every total equals the raw rows.</summary>
public sealed class PipelineStore(CogniveApp app, NpgsqlDataSource db) : IAsyncDisposable
{
    public static async Task<PipelineStore> OpenAsync(CogniveApp app, CancellationToken ct) =>
        new(app, NpgsqlDataSource.Create(await app.GetConnectionStringAsync("cognive", ct)));

    public async Task<long> CountCallsAsync(Guid teamId, CancellationToken ct) =>
        (long)(await ScalarAsync("SELECT count(*) FROM llm_calls WHERE team_id = $1", teamId, ct))!;

    public async Task<decimal> CostAsync(Guid teamId, CancellationToken ct) =>
        Convert.ToDecimal(await ScalarAsync("SELECT coalesce(sum(cost), 0) FROM llm_calls WHERE team_id = $1", teamId, ct));

    /// <summary>Each check is (what, raw sum, derived total); a consistent store has every pair equal.</summary>
    public async Task<IReadOnlyList<(string What, decimal Raw, decimal Derived)>> ConsistencyAsync(Guid teamId, CancellationToken ct)
    {
        var calls = await CountCallsAsync(teamId, ct);
        var cost = await CostAsync(teamId, ct);
        return
        [
            ("distinct event ids = rows", calls, await DecimalAsync("SELECT count(DISTINCT event_id) FROM llm_calls WHERE team_id = $1", teamId, ct)),
            ("run call totals", calls, await DecimalAsync("SELECT coalesce(sum(calls), 0) FROM agent_runs WHERE team_id = $1", teamId, ct)),
            ("run token totals", await DecimalAsync("SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM llm_calls WHERE team_id = $1", teamId, ct),
                await DecimalAsync("SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM agent_runs WHERE team_id = $1", teamId, ct)),
            ("run cost totals", cost, await DecimalAsync("SELECT coalesce(sum(cost), 0) FROM agent_runs WHERE team_id = $1", teamId, ct)),
            ("rollup calls", calls, await DecimalAsync("SELECT coalesce(sum(calls), 0) FROM cost_rollups WHERE team_id = $1", teamId, ct)),
            ("rollup cost", cost, await DecimalAsync("SELECT coalesce(sum(cost), 0) FROM cost_rollups WHERE team_id = $1", teamId, ct)),
            ("daily spend", cost, await DailySpendAsync(teamId, ct)),
        ];
    }

    public async Task<IReadOnlySet<Guid>> EventIdsAsync(Guid teamId, CancellationToken ct)
    {
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

    /// <summary>Waits until the spend the workers gave Redis for a budget's current period equals <paramref name="cost"/>.</summary>
    public async Task WaitForBudgetSpendAsync(Guid budgetId, BudgetPeriod period, decimal cost, CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.GetConnectionStringAsync("redis", ct));
        var key = BudgetKeys.Spent(BudgetKeys.Stem(budgetId, period, DateTimeOffset.UtcNow));
        await Eventually.HoldsAsync(async () => await redis.GetDatabase().StringGetAsync(key) is { HasValue: true } spent &&
            decimal.Parse(spent.ToString(), CultureInfo.InvariantCulture) == cost, $"the budget's spend in Redis equals the stored cost {cost}", ct);
    }

    public Task<decimal> DailySpendAsync(Guid teamId, CancellationToken ct) =>
        DecimalAsync("SELECT coalesce(sum(cost), 0) FROM team_daily_spend WHERE team_id = $1", teamId, ct);

    public ValueTask DisposeAsync() => db.DisposeAsync();

    private async Task<decimal> DecimalAsync(string sql, Guid teamId, CancellationToken ct) =>
        Convert.ToDecimal(await ScalarAsync(sql, teamId, ct));

    private async Task<object?> ScalarAsync(string sql, Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new() { Value = teamId });
        return await command.ExecuteScalarAsync(ct);
    }
}
