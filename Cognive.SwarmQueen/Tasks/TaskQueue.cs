using System.Text.Json;
using Cognive.Data.Swarm;
using Cognive.Data.Audit;
using Cognive.SwarmQueen.Quotas;
using Microsoft.Extensions.Options;
using Cognive.SwarmQueen.Instances;
using Npgsql;
using NpgsqlTypes;
using StackExchange.Redis;

namespace Cognive.SwarmQueen.Tasks;

/// <summary>
/// The swarm's tasks in PostgreSQL, the system of record: leasing takes the best waiting task an instance can do with
/// <c>FOR UPDATE SKIP LOCKED</c>, so concurrent leases never hand one task out twice; every lease raises the fencing token,
/// and renewals and outcomes count only with the current token.
/// </summary>
public sealed class TaskQueue(NpgsqlDataSource db, UsageCounters usage, IOptions<SwarmQuotaOptions> quotas, AuditSealer audit)
{
    /// <summary>
    /// The queued-task counter counts submissions and cancellations as they happen and learns of every other end of a
    /// task (done, dead, expired) at its recount: a team at its quota may wait this long after its tasks finish.
    /// </summary>
    public static readonly TimeSpan UsageLifetime = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Every minute a task waits counts as one more priority point (continuously: half a minute, half a point), so a
    /// flood of urgent work cannot starve it. A literal in the lease statement, where an index can serve the order.
    /// </summary>
    private const string AgingStepSeconds = "60";

    /// <summary>
    /// The lease order, highest aged priority first: priority + (now − created_at) / step, descending, is
    /// created_at / step − priority ascending, which no longer depends on now(), so an expression index on
    /// <c>(team_id, WaitOrder, created_at) WHERE state = 'Queued'</c> hands out the next task without sorting the team's queue.
    /// The epoch is taken from an interval (timestamptz's own extract is not immutable, so not indexable).
    /// </summary>
    private const string WaitOrder = $"(extract(epoch FROM created_at - timestamptz '2000-01-01 00:00:00+00') - priority * {AgingStepSeconds})";

    private const string TaskColumns = """
        id, type, payload, priority, required_capabilities, state, attempts, max_attempts, deadline, instance_id,
        fencing_token, lease_expires_at, result, error, created_at, leased_at, finished_at, stale_outcomes
        """;

    /// <summary>Takes one of the team's <see cref="Quota.QueuedTasks"/> for a submission; false (and the use) when none is left.</summary>
    public async Task<(bool Fits, long Used, long Limit)> ReserveAsync(Guid teamId, CancellationToken ct)
    {
        var limit = quotas.Value.QueuedTasks;
        var (fits, used) = await usage.TryUseAsync(UsageKey(teamId), 1, limit, reserve: true, UsageLifetime, async () =>
        {
            // Bounded by the limit: a recount never reads more of the team's queue than the quota allows.
            await using var command = db.CreateCommand("""
                SELECT count(*) FROM (SELECT 1 FROM swarm_tasks WHERE team_id = $1 AND state IN ('Queued', 'Leased') LIMIT $2) waiting
                """);
            command.Parameters.Add(new() { Value = teamId });
            command.Parameters.Add(new() { Value = limit });
            return (long)(await command.ExecuteScalarAsync(ct))!;
        });
        return (fits, used, limit);
    }

    /// <summary>Gives a reservation back: the submission created nothing (a repeated idempotency key).</summary>
    public Task ReleaseAsync(Guid teamId) => usage.AddAsync(UsageKey(teamId), -1);

    public async Task<(Guid Id, bool Created)> EnqueueAsync(Guid teamId, NewTask task, CancellationToken ct)
    {
        await using var insert = db.CreateCommand("""
            INSERT INTO swarm_tasks (id, team_id, type, payload, priority, required_capabilities, state, attempts, max_attempts,
                                     deadline, idempotency_key, fencing_token, available_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, 'Queued', 0, $7, $8, $9, 0, now(), now())
            ON CONFLICT (team_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """);
        insert.Parameters.Add(new() { Value = Guid.CreateVersion7() });
        insert.Parameters.Add(new() { Value = teamId });
        insert.Parameters.Add(new() { Value = task.Type });
        insert.Parameters.Add(new() { Value = (object?)task.Payload?.GetRawText() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new() { Value = task.Priority });
        insert.Parameters.Add(new() { Value = task.RequiredCapabilities });
        insert.Parameters.Add(new() { Value = task.MaxAttempts });
        insert.Parameters.Add(new() { Value = (object?)task.Deadline ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new() { Value = (object?)task.IdempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        if (await insert.ExecuteScalarAsync(ct) is Guid created)
        {
            return (created, true);
        }

        await using var existing = db.CreateCommand("SELECT id FROM swarm_tasks WHERE team_id = $1 AND idempotency_key = $2");
        existing.Parameters.Add(new() { Value = teamId });
        existing.Parameters.Add(new() { Value = task.IdempotencyKey! });
        return ((Guid)(await existing.ExecuteScalarAsync(ct))!, false);
    }

    public async Task<TaskView?> GetAsync(Guid teamId, Guid id, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"SELECT {TaskColumns} FROM swarm_tasks WHERE team_id = $1 AND id = $2");
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? TaskView.Read(reader) : null;
    }

    /// <summary>
    /// The team's tasks, newest first (ids are UUIDv7, minted at submission), in <paramref name="state"/> when given, after
    /// <paramref name="before"/> (the last id of the previous page); one more than <paramref name="limit"/> tells a next page.
    /// </summary>
    public async Task<List<TaskView>> ListAsync(Guid teamId, SwarmTaskState? state, Guid? before, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT {TaskColumns} FROM swarm_tasks
            WHERE team_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::uuid IS NULL OR id < $3)
            ORDER BY id DESC LIMIT $4
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = (object?)state?.ToString() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = limit });
        var tasks = new List<TaskView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            tasks.Add(TaskView.Read(reader));
        }

        return tasks;
    }

    /// <summary>
    /// Cancels a task that has not finished, recorded in the team's audit trail by <paramref name="actor"/> in the same
    /// transaction; false when the team has no such unfinished task.
    /// </summary>
    public async Task<bool> CancelAsync(Guid teamId, Guid id, string actor, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("""
            UPDATE swarm_tasks t SET state = 'Cancelled', finished_at = now(), instance_id = NULL, lease_expires_at = NULL
            FROM (SELECT id, state, instance_id FROM swarm_tasks WHERE team_id = $1 AND id = $2 FOR UPDATE) before
            WHERE t.id = before.id AND before.state IN ('Queued', 'Leased')
            RETURNING t.type, before.state, before.instance_id
            """, connection, transaction);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = id });
        object summary;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }

            summary = new { type = reader.GetString(0), state = reader.GetString(1).ToLowerInvariant(),
                instance_id = reader.IsDBNull(2) ? (Guid?)null : reader.GetGuid(2) };
        }

        await audit.AppendAsync(connection, transaction, teamId, actor, "swarm.task.cancelled", "swarm_task", id.ToString(), summary, ct);
        await transaction.CommitAsync(ct);
        await ReleaseAsync(teamId);
        return true;
    }

    /// <summary>
    /// The lease statement. $1 team, $2 instance, $3 the lease: public so the swarm
    /// benchmark can measure it alone, beside the queen's whole lease round trip.
    /// </summary>
    public const string LeaseSql = $"""
        WITH instance AS (
            SELECT id, capabilities, max_concurrency FROM swarm_instances
            WHERE team_id = $1 AND id = $2 AND state IN {InstanceStates.Healthy}
            FOR UPDATE
        ), room AS MATERIALIZED (
            SELECT i.* FROM instance i
            WHERE (SELECT count(*) FROM swarm_tasks WHERE instance_id = i.id AND state = 'Leased') < i.max_concurrency
        ), candidate AS (
            SELECT c.id FROM room r CROSS JOIN LATERAL (
                SELECT t.id FROM swarm_tasks t
                WHERE t.team_id = $1 AND t.state = 'Queued' AND t.available_at <= now()
                  AND (t.deadline IS NULL OR t.deadline > now()) AND t.required_capabilities <@ r.capabilities
                ORDER BY {WaitOrder}, t.created_at
                LIMIT 1
                FOR UPDATE SKIP LOCKED) c
        )
        UPDATE swarm_tasks t SET state = 'Leased', instance_id = $2, attempts = t.attempts + 1,
            fencing_token = t.fencing_token + 1, leased_at = now(), lease_expires_at = now() + $3
        FROM candidate c WHERE t.id = c.id
        RETURNING t.id, t.type, t.payload, t.priority, t.required_capabilities, t.state, t.attempts, t.max_attempts,
            t.deadline, t.instance_id, t.fencing_token, t.lease_expires_at, t.result, t.error, t.created_at, t.leased_at,
            t.finished_at, t.stale_outcomes
        """;

    /// <summary>
    /// Leases the waiting task of highest aged priority whose required capabilities the instance has, if the instance
    /// has room under its concurrency (its row is locked meanwhile, so its concurrent leases count each other). The room
    /// check is materialised: inlined, the planner may count the instance's leases once per waiting task; and the queue
    /// is read laterally from it, so an instance without room reads no task at all (joined the other way round, the
    /// planner walked the whole queue to find the room empty).
    /// </summary>
    public async Task<TaskView?> LeaseAsync(Guid teamId, Guid instanceId, TimeSpan lease, CancellationToken ct)
    {
        await using var command = db.CreateCommand(LeaseSql);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = instanceId });
        command.Parameters.Add(new() { Value = lease });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? TaskView.Read(reader) : null;
    }

    public Task<bool> RenewAsync(Guid teamId, Guid id, long fencingToken, TimeSpan lease, CancellationToken ct) => ChangedOneAsync("""
        UPDATE swarm_tasks SET lease_expires_at = now() + $4
        WHERE team_id = $1 AND id = $2 AND state = 'Leased' AND fencing_token = $3
        """, ct, teamId, id, fencingToken, lease);

    public Task<bool> CompleteAsync(Guid teamId, Guid id, long fencingToken, JsonElement? result, CancellationToken ct) =>
        OutcomeAsync("state = 'Done', result = $4, finished_at = now(), lease_expires_at = NULL", ct, teamId, id, fencingToken, Json(result));

    /// <summary>A failed attempt: back to the queue after a backoff, or dead once its attempts are spent.</summary>
    public Task<bool> FailAsync(Guid teamId, Guid id, long fencingToken, string error, CancellationToken ct) =>
        OutcomeAsync($"{Retry}, error = $4", ct, teamId, id, fencingToken, error);

    /// <summary>
    /// Leases that lapsed, and the leases of instances declared dead, go back to the queue (or die). An instance that
    /// still heartbeats but let a lease lapse is stalled: unhealthy, no more leases, its recovery due after <paramref name="grace"/>.
    /// </summary>
    public async Task<int> ReleaseLapsedAsync(TimeSpan grace, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            WITH lapsed AS (
                SELECT id, instance_id, lease_expires_at < now() AS expired FROM swarm_tasks
                WHERE state = 'Leased' AND (lease_expires_at < now()
                    OR instance_id IN (SELECT id FROM swarm_instances WHERE state IN ('Dead', 'Left', 'Quarantined')))
                FOR UPDATE SKIP LOCKED
            ), released AS (
                UPDATE swarm_tasks t SET {Retry}, error = 'lease lapsed' FROM lapsed l WHERE t.id = l.id RETURNING t.id
            ), stalled AS (
                UPDATE swarm_instances SET state = 'Unhealthy', failed_at = now(), failure_reason = 'stalled', recovery_due_at = now() + $1
                WHERE id IN (SELECT instance_id FROM lapsed WHERE expired) AND state IN {InstanceStates.Healthy}
            )
            SELECT count(*) FROM released
            """);
        command.Parameters.Add(new() { Value = grace });
        return (int)(long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Records the outcome of the lease holding <paramref name="values"/>' token; an older token is refused and counted.</summary>
    private async Task<bool> OutcomeAsync(string set, CancellationToken ct, params object?[] values)
    {
        await using var command = db.CreateCommand($"""
            WITH outcome AS (
                UPDATE swarm_tasks SET {set}
                WHERE team_id = $1 AND id = $2 AND state = 'Leased' AND fencing_token = $3
                RETURNING 1
            ), stale AS (
                UPDATE swarm_tasks SET stale_outcomes = stale_outcomes + 1
                WHERE team_id = $1 AND id = $2 AND fencing_token > $3 AND NOT EXISTS (SELECT 1 FROM outcome)
            )
            SELECT count(*) FROM outcome
            """);
        AddParameters(command, values);
        return (long)(await command.ExecuteScalarAsync(ct))! == 1;
    }

    // Exponential backoff: 1 s after the first attempt, doubling, at most a minute.
    private const string Retry = """
        state = CASE WHEN attempts >= max_attempts THEN 'Dead' ELSE 'Queued' END,
        finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
        available_at = now() + least(interval '1 minute', interval '1 second' * power(2, attempts - 1)),
        instance_id = NULL, lease_expires_at = NULL
        """;

    private async Task<bool> ChangedOneAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = db.CreateCommand(sql);
        AddParameters(command, values);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    private static void AddParameters(NpgsqlCommand command, object?[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(value is NpgsqlParameter parameter ? parameter : new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
    }

    private static RedisKey UsageKey(Guid teamId) => $"cognive:quota:tasks:{teamId:N}";

    private static NpgsqlParameter Json(JsonElement? value) =>
        new() { Value = value is { } json ? json.GetRawText() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb };
}
