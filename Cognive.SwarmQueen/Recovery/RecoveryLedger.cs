using Cognive.Data.Audit;
using Cognive.Data.Swarm;
using Cognive.SwarmQueen.Alerts;
using Cognive.SwarmQueen.Instances;
using Npgsql;
using NpgsqlTypes;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>The recovery records and circuits in PostgreSQL: what is due, each kind's history, and each decision with its audit record.</summary>
public sealed class RecoveryLedger(NpgsqlDataSource db, AuditSealer audit)
{
    /// <summary>The actor of the queen's own decisions in the audit trail.</summary>
    public const string QueenActor = "swarm-queen";

    /// <summary>What counts toward a kind's escalation and circuit: actions taken, but no failover (it acts on no process).</summary>
    private const string Attempted = "outcome IN ('Succeeded', 'Failed', 'Started') AND action NOT IN ('Quarantine', 'Failover', 'ScaleDown')";

    /// <summary>Failed instances whose recovery is due, oldest first, and whether their team owns their kind now.</summary>
    public async Task<List<FailedInstance>> DueAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT team_id, id, kind, host, coalesce(failure_reason, 'dead'), coalesce(failed_at, now()), state,
                   EXISTS (SELECT 1 FROM swarm_kinds k WHERE k.kind = i.kind AND k.team_id = i.team_id)
            FROM swarm_instances i
            WHERE recovery_due_at <= now() AND state IN ('Dead', 'Unhealthy', 'Quarantined')
            ORDER BY recovery_due_at LIMIT 100
            """);
        var due = new List<FailedInstance>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            due.Add(new FailedInstance(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6), reader.GetBoolean(7)));
        }

        return due;
    }

    /// <summary>
    /// Kinds with a replica recovery added that have gone <paramref name="healthy"/> without a failure of their instances,
    /// a recovery decision (a scale-down included: one per period) or an open circuit, each with the scale-up it takes back.
    /// </summary>
    public async Task<List<FailedInstance>> ScaleDownDueAsync(TimeSpan healthy, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT k.team_id, r.instance_id, k.kind, r.failed_at
            FROM swarm_kinds k
            CROSS JOIN LATERAL (SELECT instance_id, failed_at FROM swarm_recoveries
                                WHERE team_id = k.team_id AND kind = k.kind AND action = 'ScaleUp' AND outcome = 'Succeeded'
                                ORDER BY decided_at DESC LIMIT 1) r
            WHERE k.added_replicas > 0
              AND NOT EXISTS (SELECT 1 FROM swarm_recoveries x WHERE x.team_id = k.team_id AND x.kind = k.kind AND x.decided_at > now() - $1)
              AND NOT EXISTS (SELECT 1 FROM swarm_instances i WHERE i.team_id = k.team_id AND i.kind = k.kind
                              AND (i.failed_at > now() - $1 OR i.recovery_due_at IS NOT NULL OR i.state IN ('Unhealthy', 'Quarantined')))
              AND NOT EXISTS (SELECT 1 FROM swarm_circuits c WHERE c.team_id = k.team_id AND c.kind = k.kind AND c.open_until > now() - $1)
            """);
        command.Parameters.Add(new() { Value = healthy });
        var due = new List<FailedInstance>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            due.Add(new FailedInstance(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), null, "healthy",
                reader.GetFieldValue<DateTimeOffset>(3), "", Owned: true));
        }

        return due;
    }

    /// <summary>Records and audits a scale-down; one that removed a replica (or found none left to remove) settles it.</summary>
    public async Task RecordScaleDownAsync(FailedInstance scaledUp, RecoveryDecision decision, RecoveryOutcome outcome, string detail,
        CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await InsertAsync(connection, transaction, scaledUp, decision, outcome, detail, ct);
        if (outcome is RecoveryOutcome.Succeeded or RecoveryOutcome.Gone)
        {
            await AddReplicasAsync(connection, transaction, scaledUp, -1, ct);
        }

        await transaction.CommitAsync(ct);
    }

    private static async Task AddReplicasAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FailedInstance failure, int by,
        CancellationToken ct)
    {
        await using var add = new NpgsqlCommand(
            "UPDATE swarm_kinds SET added_replicas = greatest(added_replicas + $3, 0) WHERE kind = $1 AND team_id = $2", connection, transaction);
        add.Parameters.Add(new() { Value = failure.Kind });
        add.Parameters.Add(new() { Value = failure.TeamId });
        add.Parameters.Add(new() { Value = by });
        await add.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The kind's attempts within the window since its circuit last closed, when that circuit closes, and PostgreSQL's
    /// time, which every recovery time is measured on (record times are PostgreSQL's too).
    /// </summary>
    public async Task<KindHistory> HistoryAsync(Guid teamId, string kind, TimeSpan window, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            WITH circuit AS (SELECT open_until FROM swarm_circuits WHERE team_id = $1 AND kind = $2)
            SELECT (SELECT count(*) FROM swarm_recoveries
                    WHERE team_id = $1 AND kind = $2 AND {Attempted}
                      AND decided_at > greatest(now() - $3, coalesce((SELECT open_until FROM circuit), '-infinity'))),
                   (SELECT open_until FROM circuit), now(),
                   coalesce((SELECT added_replicas FROM swarm_kinds WHERE kind = $2 AND team_id = $1), 0)
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = kind });
        command.Parameters.Add(new() { Value = window });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new KindHistory((int)reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt32(3));
    }

    /// <summary>
    /// Actions on the team's processes within the last minute (also those that found the process gone: each is a call to
    /// the AppHost or the cluster), the measure of the global recovery rate limit.
    /// </summary>
    public async Task<int> ActionsLastMinuteAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT count(*) FROM swarm_recoveries
            WHERE team_id = $1 AND outcome IN ('Succeeded', 'Failed', 'Gone', 'Started') AND action IN ('Restart', 'Recreate', 'ScaleUp')
              AND decided_at > now() - interval '1 minute'
            """);
        command.Parameters.Add(new() { Value = teamId });
        return (int)(long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The team's instances that failed within the last minute (whatever became of them since: retired, restarted and
    /// failed again), and all it has that are live or failed within the minute.
    /// </summary>
    public async Task<(int Failed, int Total)> RecentFailuresAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT count(*) FILTER (WHERE failed_at > now() - interval '1 minute'),
                   count(*) FILTER (WHERE state IN {InstanceStates.Live}
                                       OR failed_at > now() - interval '1 minute')
            FROM swarm_instances WHERE team_id = $1
            """);
        command.Parameters.Add(new() { Value = teamId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    /// <summary>
    /// Records a decision (a deferral once per failure), audits it, and sets when the instance is looked at again. An
    /// action on an unhealthy instance first declares it dead, so its leases fail over; an opened circuit quarantines
    /// the kind's live instances (their leases fail over too) for <paramref name="circuitCooldown"/> from the record's time.
    /// An <paramref name="alert"/> the decision raises is stored with it; returns whether it was (not when raised too recently).
    /// </summary>
    public async Task<bool> RecordAsync(FailedInstance failure, RecoveryDecision decision, RecoveryOutcome outcome, string detail,
        DateTimeOffset? nextDueAt, TimeSpan? circuitCooldown, SwarmAlertDraft? alert, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await InsertAsync(connection, transaction, failure, decision, outcome, detail, ct);
        if (circuitCooldown is { } cooldown)
        {
            await using var open = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new("""
                        INSERT INTO swarm_circuits (team_id, kind, opened_at, open_until) VALUES ($1, $2, now(), now() + $3)
                        ON CONFLICT (team_id, kind) DO UPDATE SET opened_at = now(), open_until = excluded.open_until
                        """) { Parameters = { new() { Value = failure.TeamId }, new() { Value = failure.Kind }, new() { Value = cooldown } } },
                    new($"""
                        UPDATE swarm_instances SET state = 'Quarantined'
                        WHERE team_id = $1 AND kind = $2 AND state IN {InstanceStates.Live}
                        """) { Parameters = { new() { Value = failure.TeamId }, new() { Value = failure.Kind } } },
                },
            };
            await open.ExecuteNonQueryAsync(ct);
        }

        await SettleInstanceAsync(connection, transaction, failure, decision, outcome, nextDueAt, ct);
        var raised = alert is not null && await SwarmAlerts.StoreAsync(connection, transaction, failure.TeamId, alert, ct);
        await transaction.CommitAsync(ct);
        return raised;
    }

    /// <summary>
    /// Records and audits an action on a process before it is taken (outcome started), and looks at the instance again
    /// only at <paramref name="retryAt"/>: a queen that dies while acting leaves an attempt that counts, not one repeated
    /// at once. Returns the record's id for <see cref="FinishAsync"/>.
    /// </summary>
    public async Task<Guid> StartAsync(FailedInstance failure, RecoveryDecision decision, DateTimeOffset retryAt, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var id = await InsertAsync(connection, transaction, failure, decision, RecoveryOutcome.Started, "under way", ct);
        await using (var later = new NpgsqlCommand("UPDATE swarm_instances SET recovery_due_at = $2 WHERE id = $1", connection, transaction))
        {
            later.Parameters.Add(new() { Value = failure.InstanceId });
            later.Parameters.Add(new() { Value = retryAt });
            await later.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return id;
    }

    /// <summary>Records how a started action went, and when the instance is looked at again.</summary>
    public async Task FinishAsync(Guid recoveryId, FailedInstance failure, RecoveryDecision decision, RecoveryOutcome outcome, string detail,
        DateTimeOffset? nextDueAt, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var finish = new NpgsqlCommand("UPDATE swarm_recoveries SET outcome = $2, detail = $3 WHERE id = $1", connection, transaction))
        {
            finish.Parameters.Add(new() { Value = recoveryId });
            finish.Parameters.Add(new() { Value = outcome.ToString() });
            finish.Parameters.Add(new() { Value = Truncate(detail) });
            await finish.ExecuteNonQueryAsync(ct);
        }

        await SettleInstanceAsync(connection, transaction, failure, decision, outcome, nextDueAt, ct);
        if (decision.Action is RecoveryAction.ScaleUp && outcome is RecoveryOutcome.Succeeded)
        {
            await AddReplicasAsync(connection, transaction, failure, +1, ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Actions a queen started on the instance and did not live to record: failed, as far as anyone knows. Called under
    /// the coordinator's lock, which a queen holds while it acts, so none of them is still under way.
    /// </summary>
    public async Task AbandonStartedAsync(Guid instanceId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            UPDATE swarm_recoveries SET outcome = 'Failed', detail = detail || ': the queen stopped before recording the result'
            WHERE instance_id = $1 AND outcome = 'Started'
            """);
        command.Parameters.Add(new() { Value = instanceId });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Inserts the decision's record and its audit record (a deferral only once per failure); returns the record's id.</summary>
    private async Task<Guid> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FailedInstance failure,
        RecoveryDecision decision, RecoveryOutcome outcome, string detail, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO swarm_recoveries (id, team_id, instance_id, kind, host, reason, failed_at, action, outcome, attempt, detail, decided_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
            ON CONFLICT (instance_id, failed_at, outcome) WHERE outcome IN ('RateLimited', 'CircuitOpen') DO NOTHING
            """, connection, transaction);
        foreach (var value in new object?[] { id, failure.TeamId, failure.InstanceId, failure.Kind, failure.Host, failure.Reason,
                     failure.FailedAt, decision.Action.ToString(), outcome.ToString(), decision.Attempt, Truncate(detail) })
        {
            insert.Parameters.Add(value is null ? new() { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar } : new() { Value = value });
        }

        if (await insert.ExecuteNonQueryAsync(ct) == 1)
        {
            await audit.AppendAsync(connection, transaction, failure.TeamId, QueenActor,
                $"swarm.recovery.{decision.Action.ToString().ToLowerInvariant()}", "swarm_instance", failure.InstanceId.ToString(), new
                {
                    recovery_id = id, failure.Kind, failure.Host, failure.Reason, outcome = outcome.ToString(), decision.Attempt, detail,
                }, ct);
        }

        return id;
    }

    private static async Task SettleInstanceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FailedInstance failure,
        RecoveryDecision decision, RecoveryOutcome outcome, DateTimeOffset? nextDueAt, CancellationToken ct)
    {
        var acted = outcome is RecoveryOutcome.Succeeded or RecoveryOutcome.Failed;
        await using var update = new NpgsqlCommand("""
            UPDATE swarm_instances SET recovery_due_at = $2, recoveries = recoveries + $3,
                state = CASE WHEN $5 THEN 'Left' WHEN state = 'Unhealthy' AND $4 THEN 'Dead' ELSE state END,
                left_at = CASE WHEN $5 THEN now() ELSE left_at END
            WHERE id = $1
            """, connection, transaction);
        update.Parameters.Add(new() { Value = failure.InstanceId });
        update.Parameters.Add(new() { Value = (object?)nextDueAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        update.Parameters.Add(new() { Value = acted && RecoveryPlanner.ActsOnProcesses(decision.Action) ? 1 : 0 });
        update.Parameters.Add(new() { Value = acted && decision.Action is not RecoveryAction.AlertOnly });
        update.Parameters.Add(new() { Value = outcome is RecoveryOutcome.Gone });
        await update.ExecuteNonQueryAsync(ct);
    }

    public async Task<List<RecoveryView>> ListAsync(Guid teamId, string? kind, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT id, instance_id, kind, host, reason, failed_at, action, outcome, attempt, detail, decided_at FROM swarm_recoveries
            WHERE team_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY decided_at DESC, id DESC LIMIT $3
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = (object?)kind ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        var records = new List<RecoveryView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            records.Add(new RecoveryView(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), Snake(reader.GetString(6)), Snake(reader.GetString(7)),
                reader.GetInt32(8), reader.GetString(9), reader.GetFieldValue<DateTimeOffset>(10)));
        }

        return records;
    }

    /// <summary>The team's kinds whose circuit is open now, with the seconds left by the database's clock (the one that decides).</summary>
    public async Task<List<QuarantineView>> QuarantinesAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT kind, opened_at, open_until, ceil(extract(epoch FROM open_until - now()))::int FROM swarm_circuits
            WHERE team_id = $1 AND open_until > now() ORDER BY open_until, kind
            """);
        command.Parameters.Add(new() { Value = teamId });
        var quarantines = new List<QuarantineView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            quarantines.Add(new QuarantineView(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetInt32(3)));
        }

        return quarantines;
    }

    /// <summary>RateLimited → rate_limited, as the API spells its enumerations.</summary>
    public static string Snake(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    private static string Truncate(string detail) => detail.Length <= 1000 ? detail : detail[..1000];
}

public sealed record RecoveryView(Guid Id, Guid InstanceId, string Kind, string? Host, string Reason, DateTimeOffset FailedAt, string Action,
    string Outcome, int Attempt, string Detail, DateTimeOffset DecidedAt);

/// <summary>A quarantined kind: its instances take no tasks and its registrations are refused until <see cref="OpenUntil"/>.</summary>
public sealed record QuarantineView(string Kind, DateTimeOffset OpenedAt, DateTimeOffset OpenUntil, int SecondsLeft);
