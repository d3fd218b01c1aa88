using System.Collections.Concurrent;
using Cognive.Data.Audit;
using Npgsql;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// The team's agents that spans name: by id (<c>cognive.agent_id</c>, checked to be the team's) or by the resource's
/// <c>service.name</c>, which registers an agent of that name (framework <c>otel</c>) on first sight. Registration is
/// one <c>INSERT … ON CONFLICT DO NOTHING</c> on the team-unique name, then a read in a new statement (a fresh
/// snapshot): two exports racing on a new name, on any number of gateway replicas, find the same one agent and
/// neither sees an error. Each agent it registers is audited (<c>agent.create</c> by the exporting caller, as the API
/// audits a registration) in the same transaction, so an agent exists only with its record. Agents found are
/// remembered for a minute, so archiving an agent stops its spans soon after.
/// </summary>
public sealed class OtlpAgents(NpgsqlDataSource db, AuditSealer audit, TimeProvider time)
{
    public const string Framework = "otel";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(Guid Team, AgentRef Agent), (AgentLookup Lookup, DateTimeOffset Until)> _known = new();

    /// <summary>What each named agent resolved to: its id, or why spans naming it are rejected.</summary>
    public async Task<Dictionary<AgentRef, AgentLookup>> ResolveAsync(OtlpCaller caller, IReadOnlyCollection<AgentRef> agents,
        CancellationToken ct)
    {
        var teamId = caller.TeamId;
        var now = time.GetUtcNow();
        var found = new Dictionary<AgentRef, AgentLookup>();
        var missing = new List<AgentRef>();
        foreach (var agent in agents)
        {
            if (_known.TryGetValue((teamId, agent), out var entry) && entry.Until > now)
            {
                found[agent] = entry.Lookup;
            }
            else
            {
                missing.Add(agent);
            }
        }

        if (missing.Count == 0)
        {
            return found;
        }

        var names = missing.Where(a => a.Name is not null).Select(a => a.Name!).Order(StringComparer.Ordinal).ToArray();
        var ids = missing.Where(a => a.Id is not null).Select(a => a.Id!.Value).ToArray();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (names.Length > 0)
        {
            await RegisterAsync(connection, transaction, caller, names, now, ct);
        }

        await using (var read = new NpgsqlCommand("""
            SELECT id, name, status = 'Active' FROM agents WHERE team_id = $1 AND (name = ANY($2) OR id = ANY($3))
            """, connection, transaction))
        {
            read.Parameters.Add(new() { Value = teamId });
            read.Parameters.Add(new() { Value = names });
            read.Parameters.Add(new() { Value = ids });
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var lookup = new AgentLookup(reader.GetGuid(0), reader.GetBoolean(2));
                var name = reader.GetString(1);
                if (names.Contains(name))
                {
                    found[new AgentRef(null, name)] = lookup;
                }

                if (ids.Contains(lookup.Id))
                {
                    found[new AgentRef(lookup.Id, null)] = lookup;
                }
            }
        }

        await transaction.CommitAsync(ct);

        if (_known.Count >= MaxRemembered)
        {
            _known.Clear();
        }

        foreach (var agent in missing)
        {
            var lookup = found.GetValueOrDefault(agent, AgentLookup.Unknown);
            found[agent] = lookup;
            // An unknown id is not remembered: the agent may be registered through the API a moment later.
            if (lookup.Exists)
            {
                _known[(teamId, agent)] = (lookup, now + Lifetime);
            }
        }

        return found;
    }

    /// <summary>The names the team has no agent for yet become agents, each with its audit record.</summary>
    private async Task RegisterAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OtlpCaller caller, string[] names,
        DateTimeOffset now, CancellationToken ct)
    {
        var registered = new List<(Guid Id, string Name)>();
        // Sorted names take the unique index's locks in one order, so concurrent registrations cannot deadlock.
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO agents (id, team_id, name, framework, status, created_at, updated_at)
            SELECT n.id, $1, n.name, $4, 'Active', $5, $5 FROM unnest($2::uuid[], $3::text[]) AS n(id, name)
            ORDER BY n.name
            ON CONFLICT (team_id, name) DO NOTHING
            RETURNING id, name
            """, connection, transaction))
        {
            foreach (var value in new object[] { caller.TeamId, names.Select(_ => Guid.CreateVersion7(now)).ToArray(), names, Framework, now })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await using var reader = await insert.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                registered.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }

        foreach (var (id, name) in registered)
        {
            await audit.AppendAsync(connection, transaction, caller.TeamId, caller.Actor, "agent.create", "agent", id.ToString(),
                new { after = new { name, framework = Framework, description = (string?)null, status = "active" } }, ct,
                caller.RequestId, caller.SourceIp);
        }
    }
}

/// <summary>An agent a span named: <see cref="Id"/> is empty when the team has no such agent.</summary>
public readonly record struct AgentLookup(Guid Id, bool Active)
{
    public static AgentLookup Unknown => new(Guid.Empty, false);

    public bool Exists => Id != Guid.Empty;
}

/// <summary>Who exports, as the audit trail names them when an export registers an agent.</summary>
public sealed record OtlpCaller(Guid TeamId, string Actor, string RequestId, string? SourceIp);
