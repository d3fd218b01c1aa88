using Npgsql;

namespace Cognive.Data.Budgets;

/// <summary>
/// What each budget has spent in its current period, from PostgreSQL: the truth the Redis counters are set from, and
/// rebuilt from when Redis has lost them. Team budgets sum the daily spend, agent budgets the hourly rollups, both by
/// when the calls occurred.
/// </summary>
public static class BudgetSpending
{
    public static async Task<Dictionary<Guid, decimal>> SpentAsync(NpgsqlDataSource db, IReadOnlyList<BudgetScope> budgets,
        DateTimeOffset now, CancellationToken ct)
    {
        var spent = new Dictionary<Guid, decimal>(budgets.Count);
        if (budgets.Count == 0)
        {
            return spent;
        }

        await using var batch = db.CreateBatch();
        foreach (var budget in budgets)
        {
            var start = BudgetPeriods.StartOf(budget.Period, now);
            var command = budget.AgentId is { } agentId
                ? new NpgsqlBatchCommand("SELECT coalesce(sum(cost), 0) FROM cost_rollups WHERE team_id = $1 AND agent_id = $2 AND bucket_start >= $3")
                {
                    Parameters = { new() { Value = budget.TeamId }, new() { Value = agentId }, new() { Value = start } },
                }
                : new NpgsqlBatchCommand("SELECT coalesce(sum(cost), 0) FROM team_daily_spend WHERE team_id = $1 AND day >= $2")
                {
                    Parameters = { new() { Value = budget.TeamId }, new() { Value = DateOnly.FromDateTime(start.UtcDateTime) } },
                };
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var budget in budgets)
        {
            await reader.ReadAsync(ct);
            spent[budget.Id] = reader.GetDecimal(0);
            await reader.NextResultAsync(ct);
        }

        return spent;
    }
}

/// <summary>What the spend of a budget is summed over.</summary>
public sealed record BudgetScope(Guid Id, Guid TeamId, Guid? AgentId, BudgetPeriod Period);
