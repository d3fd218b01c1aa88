using Cognive.ApiService.Alerts;
using Cognive.ApiService.Budgets;
using Cognive.Governance.Budgets;
using Cognive.Data;
using Cognive.Data.Budgets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cognive.ApiService.Analytics;

/// <summary>The overview from the rollups (spend, trend, top spenders), the last day's raw calls (latency), budgets and alerts.</summary>
public sealed class OverviewQueries(NpgsqlDataSource data, AnalyticsQueries analytics)
{
    public const int MaxStalenessSeconds = 2;
    private const int Top = 5;

    public async Task<Overview> OverviewAsync(CogniveDbContext db, BudgetLedger ledger, Guid teamId, string groupBy, DateTimeOffset now,
        CancellationToken ct)
    {
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var month = BudgetPeriods.StartOf(BudgetPeriod.Monthly, now);
        var monthAgo = AnalyticsWindows.From(now, AnalyticsWindows.Periods["30d"]);

        await using var batch = data.CreateBatch();
        batch.BatchCommands.Add(Command("""
            SELECT coalesce(sum(cost) FILTER (WHERE bucket_start >= $3), 0), coalesce(sum(cost) FILTER (WHERE bucket_start >= $4), 0),
                   coalesce(sum(unpriced_calls), 0)::bigint
            FROM cost_rollups WHERE team_id = $1 AND bucket_start >= $2
            """, teamId, Earliest(monthAgo, month), today, month));
        batch.BatchCommands.Add(Command("""
            SELECT provider, model, sum(calls)::bigint, sum(errors)::bigint, sum(unpriced_calls)::bigint, sum(cost)
            FROM cost_rollups WHERE team_id = $1 AND bucket_start >= $2
            GROUP BY provider, model ORDER BY 6 DESC, 3 DESC LIMIT $3
            """, teamId, monthAgo, Top));
        batch.BatchCommands.Add(Command("""
            SELECT r.agent_id, a.name, sum(r.calls)::bigint, sum(r.cost)
            FROM cost_rollups r LEFT JOIN agents a ON a.id = r.agent_id
            WHERE r.team_id = $1 AND r.bucket_start >= $2
            GROUP BY r.agent_id, a.name ORDER BY 4 DESC, 3 DESC LIMIT $3
            """, teamId, monthAgo, Top));

        decimal spentToday, spentThisMonth;
        long unpriced;
        var models = new List<ModelSpend>();
        var agents = new List<AgentSpend>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (spentToday, spentThisMonth, unpriced) = (reader.GetDecimal(0), reader.GetDecimal(1), reader.GetInt64(2));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                models.Add(new ModelSpend(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetDecimal(5)));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                agents.Add(new AgentSpend(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                    reader.GetDecimal(3)));
            }
        }

        var trend = await analytics.CostTrendsAsync(teamId, new CostTrendFilter("30d", "day", groupBy, null, null, null), now, ct);
        var lastDay = await analytics.SummaryAsync(teamId, "24h", now, ct);
        var budgets = await BudgetEndpoints.DescribeTeamAsync(db, ledger, teamId, now, ct);
        return new Overview(now, MaxStalenessSeconds, spentToday, spentThisMonth, unpriced,
            budgets.Select(b => new BudgetOutlook(b, Forecast(b, now))).ToList(), trend, models, agents, lastDay.Models,
            await OpenAlertsAsync(db, teamId, budgets, now, ct));
    }

    /// <summary>Linear: the spend so far stretched over the whole period. Nothing for a total budget or a period just begun.</summary>
    public static decimal? Forecast(BudgetResponse budget, DateTimeOffset now)
    {
        if (budget.ResetsAt is not { } end || budget.SpentUsd is not { } spent)
        {
            return null;
        }

        var elapsed = now - budget.PeriodStart;
        return elapsed < TimeSpan.FromMinutes(1) ? null
            : decimal.Round(spent * (decimal)((end - budget.PeriodStart) / elapsed), 6);
    }

    private static async Task<IReadOnlyList<AlertResponse>> OpenAlertsAsync(CogniveDbContext db, Guid teamId,
        IReadOnlyList<BudgetResponse> budgets, DateTimeOffset now, CancellationToken ct)
    {
        var current = budgets.ToDictionary(b => b.Id, b => b.PeriodStart);
        var ids = current.Keys.ToList();
        var thresholds = (await db.BudgetAlerts.AsNoTracking()
                .Where(a => a.TeamId == teamId && ids.Contains(a.BudgetId))
                .OrderByDescending(a => a.FiredAt).Take(50).ToListAsync(ct))
            .Where(a => a.PeriodStart == current[a.BudgetId])
            .Select(AlertEndpoints.ToResponse);
        var dayAgo = now.AddDays(-1);
        var swarm = (await db.SwarmAlerts.AsNoTracking().Where(a => a.TeamId == teamId && a.RaisedAt >= dayAgo)
                .OrderByDescending(a => a.RaisedAt).Take(20).ToListAsync(ct))
            .Select(AlertEndpoints.ToResponse);
        return thresholds.Concat(swarm).OrderByDescending(a => a.FiredAt).Take(20).ToList();
    }

    private static DateTimeOffset Earliest(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return command;
    }
}
