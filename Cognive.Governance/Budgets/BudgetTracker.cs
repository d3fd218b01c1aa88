using System.Collections.Concurrent;
using Cognive.Data.Alerts;
using Cognive.Data.Budgets;
using Cognive.Ingestion;
using Npgsql;
using NpgsqlTypes;

namespace Cognive.Governance.Budgets;

/// <summary>
/// After a batch is stored: each affected budget's spend is summed in PostgreSQL, thresholds crossed are recorded
/// as alerts (unique per budget, period and threshold, so redeliveries and other workers cannot fire one twice),
/// Redis is given the new spend, and the reservations the calls named are settled: settle-from-the-workers.
/// </summary>
public sealed class BudgetTracker(NpgsqlDataSource db, BudgetLedger ledger, TimeProvider time, ILogger<BudgetTracker> logger)
{
    private const string LiveBudgetsSql = """
        SELECT id, team_id, agent_id, amount_usd, period, thresholds FROM budgets
        WHERE team_id = ANY($1) AND deleted_at IS NULL AND (agent_id IS NULL OR agent_id = ANY($2))
        """;

    // One alert per crossed threshold not fired before, and one pending delivery per live webhook of its team.
    private static readonly string FireAlertsSql = $"""
        WITH crossed AS (
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::int[], $5::numeric[], $6::numeric[])
                AS c(team_id, budget_id, period_start, threshold, spent, limit_usd)
        ), fired AS (
            INSERT INTO budget_alerts (id, team_id, budget_id, period_start, threshold, spent_usd, limit_usd, fired_at)
            SELECT gen_random_uuid(), team_id, budget_id, period_start, threshold, spent, limit_usd, now() FROM crossed
            ON CONFLICT (budget_id, period_start, threshold) DO NOTHING
            RETURNING id, team_id
        ), deliveries AS (
            {AlertDeliveries.QueueSql("fired")}
        )
        SELECT count(*) FROM fired
        """;

    /// <summary>Thresholds this worker has seen recorded; spares the insert that would find them there.</summary>
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(Guid Budget, DateTimeOffset Period, int Threshold), bool> _fired = new();

    /// <summary>
    /// Sums the affected budgets' spend and records the thresholds crossed. Failures propagate: the batch is then stored
    /// again (finding its calls there) and this runs again, so no threshold is skipped.
    /// </summary>
    public async Task<BudgetSpend> RecordAsync(IReadOnlyCollection<LlmCallEvent> events, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var budgets = await LiveBudgetsAsync(events, ct);
        if (budgets.Count == 0)
        {
            return new BudgetSpend(now, []);
        }

        var spent = await BudgetSpending.SpentAsync(db, budgets.Select(b => b.Scope).ToList(), now, ct);
        var tracked = budgets.Select(b => (b, spent[b.Id])).ToList();
        await FireAlertsAsync(tracked, now, ct);
        return new BudgetSpend(now, tracked);
    }

    /// <summary>
    /// Gives Redis the spend just summed (into the period it was summed for, and never lowering a newer, larger figure
    /// another worker wrote), then settles the reservations the calls named: in that order, so a check in between
    /// counts a call twice rather than not at all.
    /// </summary>
    public async Task PublishAsync(BudgetSpend spend, IReadOnlyCollection<LlmCallEvent> events)
    {
        await ledger.RaiseSpentAsync(spend.At, spend.Budgets.Select(s => (s.Budget.Id, s.Budget.Period, s.Spent)));
        foreach (var call in events.Where(e => e.ReservationId is not null).DistinctBy(e => e.ReservationId))
        {
            await ledger.SettleAsync(call.TeamId, call.ReservationId!.Value);
        }
    }

    private async Task<List<TrackedBudget>> LiveBudgetsAsync(IReadOnlyCollection<LlmCallEvent> events, CancellationToken ct)
    {
        await using var command = db.CreateCommand(LiveBudgetsSql);
        command.Parameters.Add(new() { Value = events.Select(e => e.TeamId).Distinct().ToArray() });
        command.Parameters.Add(new() { Value = events.Select(e => e.AgentId).Distinct().ToArray() });
        var budgets = new List<TrackedBudget>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            budgets.Add(new TrackedBudget(reader.GetGuid(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.GetDecimal(3), Enum.Parse<BudgetPeriod>(reader.GetString(4)), reader.GetFieldValue<int[]>(5)));
        }

        return budgets;
    }

    private async Task FireAlertsAsync(List<(TrackedBudget Budget, decimal Spent)> tracked, DateTimeOffset now, CancellationToken ct)
    {
        var crossed = (
            from t in tracked
            from threshold in t.Budget.Thresholds
            where t.Spent >= t.Budget.AmountUsd * threshold / 100m
            let key = (t.Budget.Id, BudgetPeriods.StartOf(t.Budget.Period, now), threshold)
            where !_fired.ContainsKey(key)
            select (t.Budget, t.Spent, Key: key)).ToList();
        if (crossed.Count == 0)
        {
            return;
        }

        await using var command = db.CreateCommand(FireAlertsSql);
        command.Parameters.Add(new() { Value = crossed.Select(c => c.Budget.TeamId).ToArray() });
        command.Parameters.Add(new() { Value = crossed.Select(c => c.Budget.Id).ToArray() });
        command.Parameters.Add(new() { Value = crossed.Select(c => c.Key.Item2).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = crossed.Select(c => c.Key.threshold).ToArray() });
        command.Parameters.Add(new() { Value = crossed.Select(c => c.Spent).ToArray() });
        command.Parameters.Add(new() { Value = crossed.Select(c => c.Budget.AmountUsd).ToArray() });
        var fired = (long)(await command.ExecuteScalarAsync(ct))!;
        if (_fired.Count > MaxRemembered)
        {
            _fired.Clear(); // past periods' entries; forgetting only costs an insert that finds the row there
        }

        foreach (var c in crossed)
        {
            _fired[c.Key] = true;
        }

        if (fired > 0)
        {
            logger.LogInformation("{Count} budget alerts fired", fired);
        }
    }
}

/// <summary>The spend of the budgets a batch touched, summed at <see cref="At"/> (which names their periods).</summary>
public sealed record BudgetSpend(DateTimeOffset At, IReadOnlyList<(TrackedBudget Budget, decimal Spent)> Budgets);

public sealed record TrackedBudget(Guid Id, Guid TeamId, Guid? AgentId, decimal AmountUsd, BudgetPeriod Period, int[] Thresholds)
{
    public BudgetScope Scope => new(Id, TeamId, AgentId, Period);
}
