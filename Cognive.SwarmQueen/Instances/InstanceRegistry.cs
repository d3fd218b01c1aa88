using Cognive.SwarmQueen.Tasks;
using Npgsql;

namespace Cognive.SwarmQueen.Instances;

/// <summary>The instances of each team's swarm: registration, heartbeats, and the queen's verdict on the silent ones.</summary>
public sealed class InstanceRegistry(NpgsqlDataSource db)
{
    private const string Live = "('Starting', 'Idle', 'Busy', 'Unhealthy')";

    /// <summary>Registers (or registers again) an instance; false when the id belongs to another team.</summary>
    public async Task<bool> RegisterAsync(Guid teamId, Guid instanceId, RegisterInstanceRequest request, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO swarm_instances (id, team_id, agent_id, capabilities, version, max_concurrency, state, registered_at,
                                         last_heartbeat_at, recoveries)
            VALUES ($1, $2, $3, $4, $5, $6, 'Idle', now(), now(), 0)
            ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, capabilities = excluded.capabilities,
                version = excluded.version, max_concurrency = excluded.max_concurrency, state = 'Idle',
                registered_at = now(), last_heartbeat_at = now(), left_at = NULL
            WHERE swarm_instances.team_id = excluded.team_id AND swarm_instances.state <> 'Quarantined'
            """);
        command.Parameters.Add(new() { Value = instanceId });
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = request.AgentId!.Value });
        command.Parameters.Add(new() { Value = request.Capabilities ?? [] });
        command.Parameters.Add(new() { Value = request.Version! });
        command.Parameters.Add(new() { Value = request.MaxConcurrency ?? 1 });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>False when the team has no live instance with that id (never registered, left, or declared dead).</summary>
    public async Task<bool> HeartbeatAsync(Guid teamId, Guid instanceId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            UPDATE swarm_instances i SET last_heartbeat_at = now(),
                state = CASE WHEN EXISTS (SELECT 1 FROM swarm_tasks t WHERE t.instance_id = i.id AND t.state = 'Leased')
                             THEN 'Busy' ELSE 'Idle' END
            WHERE team_id = $1 AND id = $2 AND state IN {Live}
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = instanceId });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>A clean exit: the instance leaves, and its leases go back to the queue at the next sweep.</summary>
    public async Task<bool> DeregisterAsync(Guid teamId, Guid instanceId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            UPDATE swarm_instances SET state = 'Left', left_at = now() WHERE team_id = $1 AND id = $2 AND state IN {Live}
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = instanceId });
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<List<InstanceView>> ListAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT i.id, i.agent_id, i.capabilities, i.version, i.max_concurrency, i.state, i.registered_at, i.last_heartbeat_at,
                   i.recoveries, (SELECT count(*) FROM swarm_tasks t WHERE t.instance_id = i.id AND t.state = 'Leased')
            FROM swarm_instances i WHERE i.team_id = $1 ORDER BY i.registered_at
            """);
        command.Parameters.Add(new() { Value = teamId });
        var instances = new List<InstanceView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            instances.Add(new InstanceView(reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<string[]>(2), reader.GetString(3),
                reader.GetInt32(4), reader.GetString(5).ToLowerInvariant(), reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetFieldValue<DateTimeOffset>(7), reader.GetInt32(8), reader.GetInt64(9)));
        }

        return instances;
    }

    /// <summary>The task types the team's swarm can run: the built-in specialists' and what its live instances advertise.</summary>
    public async Task<IReadOnlySet<string>> KnownTypesAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT DISTINCT unnest(capabilities) FROM swarm_instances WHERE team_id = $1 AND state IN {Live}
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

    /// <summary>Instances silent for longer than <paramref name="timeout"/> are dead; returns how many were declared so.</summary>
    public async Task<int> DeclareSilentDeadAsync(TimeSpan timeout, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            UPDATE swarm_instances SET state = 'Dead' WHERE state IN {Live} AND last_heartbeat_at < now() - $1
            """);
        command.Parameters.Add(new() { Value = timeout });
        return await command.ExecuteNonQueryAsync(ct);
    }
}

/// <param name="AgentId">The control plane's agent this instance runs as (an agent of the caller's team).</param>
/// <param name="Capabilities">The task types and specialties it takes.</param>
public sealed record RegisterInstanceRequest(Guid? AgentId, string[]? Capabilities, string? Version, int? MaxConcurrency);

public sealed record InstanceView(Guid InstanceId, Guid AgentId, string[] Capabilities, string Version, int MaxConcurrency, string State,
    DateTimeOffset RegisteredAt, DateTimeOffset LastHeartbeatAt, int Recoveries, long Load);
