using Cognive.Data.Audit;
using Cognive.SwarmQueen.Instances;
using Npgsql;

namespace Cognive.SwarmQueen.Kinds;

/// <summary>
/// Which team owns which agent kind (<c>swarm_kinds</c>): a registration may name only a kind its team owns, and a host
/// only of such a kind that no other team's live instance names. Grants are the installation admin's, audited.
/// </summary>
public sealed class KindOwners(NpgsqlDataSource db, AuditSealer audit)
{
    /// <summary>What an instance registered without a kind is stored as: never owned, so never acted on but by failover.</summary>
    public const string Undeclared = "default";

    /// <summary>Why the team may not register as <paramref name="kind"/> on <paramref name="host"/> (field and reason); null when it may.</summary>
    public async Task<(string Field, string Detail)?> RefusalAsync(Guid teamId, Guid instanceId, string? kind, string? host, CancellationToken ct)
    {
        if (kind is null)
        {
            return host is null ? null
                : ("host", "host names the process of one of the team's kinds for recovery to act on; an instance without a kind has none.");
        }

        await using var command = db.CreateCommand($"""
            SELECT (SELECT team_id FROM swarm_kinds WHERE kind = $2) IS NOT DISTINCT FROM $1,
                   $4::text IS NOT NULL AND EXISTS (SELECT 1 FROM swarm_instances
                                                    WHERE host = $4 AND team_id <> $1 AND id <> $3 AND state IN {InstanceStates.Live})
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = kind });
        command.Parameters.Add(new() { Value = instanceId });
        command.Parameters.Add(new() { Value = (object?)host ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return !reader.GetBoolean(0)
            ? ("kind", $"The agent kind '{kind}' is not this team's: recovery acts on a kind's processes only for the team that owns it. An installation admin grants kinds.")
            : reader.GetBoolean(1)
                ? ("host", $"'{host}' is the host of another team's live instance.")
                : null;
    }

    /// <summary>
    /// Makes <paramref name="teamId"/> the kind's one owner (replacing any other), audited in the admin's chain and the new
    /// owner's. False when there is no such team.
    /// </summary>
    public async Task<bool> GrantAsync(Guid adminTeamId, string actor, string kind, Guid teamId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var grant = new NpgsqlCommand("""
            WITH previous AS (SELECT team_id FROM swarm_kinds WHERE kind = $1)
            INSERT INTO swarm_kinds (kind, team_id, added_replicas, granted_at, granted_by)
            SELECT $1, id, 0, now(), $3 FROM teams WHERE id = $2
            ON CONFLICT (kind) DO UPDATE SET team_id = excluded.team_id, granted_at = now(), granted_by = excluded.granted_by
            RETURNING (SELECT team_id FROM previous)
            """, connection, transaction);
        grant.Parameters.Add(new() { Value = kind });
        grant.Parameters.Add(new() { Value = teamId });
        grant.Parameters.Add(new() { Value = actor });
        await using (var reader = await grant.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }

            var previous = reader.IsDBNull(0) ? (Guid?)null : reader.GetGuid(0);
            await reader.CloseAsync();
            var summary = new { kind, team_id = teamId, previous_team_id = previous };
            foreach (var chain in new[] { adminTeamId, teamId }.Distinct())
            {
                await audit.AppendAsync(connection, transaction, chain, actor, "swarm.kind.granted", "swarm_kind", kind, summary, ct);
            }
        }

        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>Takes the kind from its owner (no team owns it afterwards), audited in the admin's chain and the former owner's.</summary>
    public async Task<bool> RevokeAsync(Guid adminTeamId, string actor, string kind, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var revoke = new NpgsqlCommand("DELETE FROM swarm_kinds WHERE kind = $1 RETURNING team_id, added_replicas", connection, transaction);
        revoke.Parameters.Add(new() { Value = kind });
        Guid owner;
        int added;
        await using (var reader = await revoke.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }

            (owner, added) = (reader.GetGuid(0), reader.GetInt32(1));
        }

        foreach (var chain in new[] { adminTeamId, owner }.Distinct())
        {
            await audit.AppendAsync(connection, transaction, chain, actor, "swarm.kind.revoked", "swarm_kind", kind,
                new { kind, team_id = owner, added_replicas = added }, ct);
        }

        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>The kinds the team owns; every kind for the installation's admin team.</summary>
    public async Task<List<KindView>> ListAsync(Guid teamId, bool all, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT kind, team_id, added_replicas, granted_at, granted_by FROM swarm_kinds WHERE $2 OR team_id = $1 ORDER BY kind
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = all });
        var kinds = new List<KindView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            kinds.Add(new KindView(reader.GetString(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4)));
        }

        return kinds;
    }

    public async Task<bool> IsInstallationAdminAsync(Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT coalesce((SELECT is_admin FROM teams WHERE id = $1), false)");
        command.Parameters.Add(new() { Value = teamId });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}

public sealed record GrantKindRequest(Guid? TeamId);

public sealed record KindView(string Kind, Guid TeamId, int AddedReplicas, DateTimeOffset GrantedAt, string GrantedBy);
