using Cognive.Data.Audit;
using Cognive.SwarmQueen.Kinds;
using Cognive.SwarmQueen.Tasks;
using Npgsql;
using NpgsqlTypes;

namespace Cognive.SwarmQueen.Instances;

/// <summary>The instances of each team's swarm: registration, heartbeats, and the queen's verdict on the silent ones.</summary>
public sealed class InstanceRegistry(NpgsqlDataSource db, AuditSealer audit)
{
    /// <summary>
    /// Registers (or registers again, after a restart) an instance; registering clears what the queen had found wrong
    /// with it. Refused when the id belongs to another team or the kind is quarantined. Audited in the team's chain as
    /// done by <paramref name="actor"/>.
    /// </summary>
    public async Task<Registration> RegisterAsync(Guid teamId, string actor, Guid instanceId, RegisterInstanceRequest request, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("""
            WITH quarantine AS (
                SELECT open_until FROM swarm_circuits WHERE team_id = $2 AND kind = $7 AND open_until > now()
            ), registered AS (
                INSERT INTO swarm_instances (id, team_id, agent_id, capabilities, version, max_concurrency, state, registered_at,
                                             last_heartbeat_at, recoveries, kind, host, readiness_url)
                SELECT $1, $2, $3, $4, $5, $6, 'Idle', now(), now(), 0, $7, $8, $9 WHERE NOT EXISTS (SELECT 1 FROM quarantine)
                ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, capabilities = excluded.capabilities,
                    version = excluded.version, max_concurrency = excluded.max_concurrency, state = 'Idle', kind = excluded.kind,
                    host = excluded.host, readiness_url = excluded.readiness_url, registered_at = now(), last_heartbeat_at = now(),
                    left_at = NULL, failed_at = NULL, failure_reason = NULL, recovery_due_at = NULL
                WHERE swarm_instances.team_id = excluded.team_id
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM registered), open_until, ceil(extract(epoch FROM open_until - now()))::int
            FROM (SELECT 1) one LEFT JOIN quarantine ON true
            """, connection, transaction);
        command.Parameters.Add(new() { Value = instanceId });
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = request.AgentId!.Value });
        command.Parameters.Add(new() { Value = request.Capabilities ?? [] });
        command.Parameters.Add(new() { Value = request.Version! });
        command.Parameters.Add(new() { Value = request.MaxConcurrency ?? 1 });
        command.Parameters.Add(new() { Value = request.KindOrDefault });
        command.Parameters.Add(new() { Value = (object?)request.Host ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = (object?)request.ReadinessUrl ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        Registration registration;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            registration = reader.GetInt64(0) == 1 ? Registration.Accepted
                : reader.IsDBNull(1) ? Registration.IdTaken
                : new Registration(false, reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt32(2));
        }

        if (registration.Succeeded)
        {
            await audit.AppendAsync(connection, transaction, teamId, actor, "swarm.instance.registered", "swarm_instance", instanceId.ToString(),
                new { request.AgentId, kind = request.KindOrDefault, request.Host, request.Version }, ct);
        }

        await transaction.CommitAsync(ct);
        return registration;
    }

    /// <summary>
    /// The team's other instances the queen remembers (departed ones until forgotten), counted up to <paramref name="limit"/>:
    /// what a new registration would add to, for the <see cref="Quotas.Quota.Instances"/> quota. Registering the same id again adds nothing.
    /// </summary>
    public async Task<long> CountOthersAsync(Guid teamId, Guid instanceId, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM swarm_instances WHERE id = $2 AND team_id = $1) THEN 0
                        ELSE (SELECT count(*) FROM (SELECT 1 FROM swarm_instances WHERE team_id = $1 LIMIT $3) remembered) END
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = instanceId });
        command.Parameters.Add(new() { Value = limit });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>False when the team has no live instance with that id (never registered, left, or declared dead).</summary>
    public async Task<bool> HeartbeatAsync(Guid teamId, Guid instanceId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            UPDATE swarm_instances i SET last_heartbeat_at = now(),
                state = CASE WHEN state = 'Unhealthy' THEN 'Unhealthy'
                             WHEN EXISTS (SELECT 1 FROM swarm_tasks t WHERE t.instance_id = i.id AND t.state = 'Leased') THEN 'Busy'
                             ELSE 'Idle' END
            WHERE team_id = $1 AND id = $2 AND state IN {InstanceStates.Live}
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = instanceId });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>A clean exit: the instance leaves, and its leases go back to the queue at the next sweep. Audited.</summary>
    public async Task<bool> DeregisterAsync(Guid teamId, string actor, Guid instanceId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            UPDATE swarm_instances SET state = 'Left', left_at = now() WHERE team_id = $1 AND id = $2 AND state IN {InstanceStates.Live}
            RETURNING kind, host
            """, connection, transaction);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = instanceId });
        string kind;
        string? host;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }

            (kind, host) = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        }

        await audit.AppendAsync(connection, transaction, teamId, actor, "swarm.instance.deregistered", "swarm_instance", instanceId.ToString(),
            new { kind, host }, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>The team's instances, idle or busy as their leases stand now.</summary>
    public async Task<List<InstanceView>> ListAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT i.id, i.agent_id, i.capabilities, i.version, i.max_concurrency, {InstanceStates.Current}, i.registered_at,
                   i.last_heartbeat_at, i.recoveries, l.load, i.kind, i.host, i.failure_reason, i.failed_at
            FROM {InstanceStates.WithLoad}
            WHERE i.team_id = $1 ORDER BY i.registered_at
            """);
        command.Parameters.Add(new() { Value = teamId });
        var instances = new List<InstanceView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            instances.Add(new InstanceView(reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<string[]>(2), reader.GetString(3),
                reader.GetInt32(4), reader.GetString(5).ToLowerInvariant(), reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.GetInt32(8), reader.GetInt64(9), reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13)));
        }

        return instances;
    }

    /// <summary>The task types the team's swarm can run: the built-in specialists' and what its live instances advertise.</summary>
    public async Task<IReadOnlySet<string>> KnownTypesAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT DISTINCT unnest(capabilities) FROM swarm_instances WHERE team_id = $1 AND state IN {InstanceStates.Live}
            """);
        command.Parameters.Add(new() { Value = teamId });
        var types = new HashSet<string>(TaskRules.BuiltInTypes);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            types.Add(reader.GetString(0));
        }

        return types;
    }

    /// <summary>
    /// Forgets instances that left or died longer than <paramref name="retention"/> ago and have no recovery due. In a
    /// cluster every recreated pod is a new instance: without this the list would grow with every one ever seen.
    /// Their recoveries stay in the ledger.
    /// </summary>
    public async Task<int> ForgetDepartedAsync(TimeSpan retention, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            DELETE FROM swarm_instances
            WHERE state IN ('Dead', 'Left') AND recovery_due_at IS NULL AND coalesce(left_at, failed_at, last_heartbeat_at) < now() - $1
            """);
        command.Parameters.Add(new() { Value = retention });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Instances silent for longer than <paramref name="timeout"/> are dead: their leases go back to the queue at once
    /// (failover), and their recovery is due after <paramref name="grace"/> (a paused instance may come back by itself).
    /// </summary>
    public async Task<int> DeclareSilentDeadAsync(TimeSpan timeout, TimeSpan grace, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            UPDATE swarm_instances SET state = 'Dead', failed_at = now(), failure_reason = 'dead', recovery_due_at = now() + $2
            WHERE state IN {InstanceStates.Live} AND last_heartbeat_at < now() - $1
            """);
        command.Parameters.Add(new() { Value = timeout });
        command.Parameters.Add(new() { Value = grace });
        return await command.ExecuteNonQueryAsync(ct);
    }
}

/// <param name="AgentId">The control plane's agent this instance runs as (an agent of the caller's team).</param>
/// <param name="Capabilities">The task types and specialties it takes.</param>
/// <param name="Kind">Its kind (deployment or AppHost resource, one its team owns; "default" when left out, which no team
/// owns): recovery acts on the processes of owned kinds only.</param>
/// <param name="Host">The replica or pod it runs in, so the queen can restart it.</param>
/// <param name="ReadinessUrl">Its <c>/health/readiness</c> endpoint, which the queen probes.</param>
public sealed record RegisterInstanceRequest(Guid? AgentId, string[]? Capabilities, string? Version, int? MaxConcurrency, string? Kind,
    string? Host, string? ReadinessUrl)
{
    public string KindOrDefault => DeclaredKind ?? KindOwners.Undeclared;

    /// <summary>The kind it declared; "default" is the same as none.</summary>
    public string? DeclaredKind => Kind is KindOwners.Undeclared ? null : Kind;
}

/// <param name="QuarantinedUntil">Set when refused because the instance's kind is quarantined.</param>
/// <param name="QuarantineSecondsLeft">How long the quarantine still lasts, by the database's clock.</param>
public sealed record Registration(bool Succeeded, DateTimeOffset? QuarantinedUntil, int QuarantineSecondsLeft)
{
    public static readonly Registration Accepted = new(true, null, 0);
    public static readonly Registration IdTaken = new(false, null, 0);
}

public sealed record InstanceView(Guid InstanceId, Guid AgentId, string[] Capabilities, string Version, int MaxConcurrency, string State,
    DateTimeOffset RegisteredAt, DateTimeOffset LastHeartbeatAt, int Recoveries, long Load, string Kind, string? Host,
    string? FailureReason, DateTimeOffset? FailedAt);
