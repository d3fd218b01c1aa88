using System.Collections.Concurrent;
using Npgsql;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// The team's agents that spans name: by id (<c>cognive.agent_id</c>, checked to be the team's) or by the resource's
/// <c>service.name</c>, which registers an agent of that name (framework <c>otel</c>) on first sight. Registration is
/// one <c>INSERT … ON CONFLICT DO NOTHING</c> on the team-unique name, then a read in a new statement (a fresh
/// snapshot): two exports racing on a new name, on any number of gateway replicas, find the same one agent and
/// neither sees an error. Agents found are remembered for a minute, so archiving an agent stops its spans soon after.
/// </summary>
public sealed class OtlpAgents(NpgsqlDataSource db, TimeProvider time)
{
    public const string Framework = "otel";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<(Guid Team, AgentRef Agent), (AgentLookup Lookup, DateTimeOffset Until)> _known = new();

    /// <summary>What each named agent resolved to: its id, or why spans naming it are rejected.</summary>
    public async Task<Dictionary<AgentRef, AgentLookup>> ResolveAsync(Guid teamId, IReadOnlyCollection<AgentRef> agents,
        CancellationToken ct)
    {
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
        await using var batch = db.CreateBatch();
        if (names.Length > 0)
        {
            // Sorted names take the unique index's locks in one order, so concurrent registrations cannot deadlock.
            batch.BatchCommands.Add(Command("""
                INSERT INTO agents (id, team_id, name, framework, status, created_at, updated_at)
                SELECT n.id, $1, n.name, $4, 'Active', $5, $5 FROM unnest($2::uuid[], $3::text[]) AS n(id, name)
                ORDER BY n.name
                ON CONFLICT (team_id, name) DO NOTHING
                """, teamId, names.Select(_ => Guid.CreateVersion7(now)).ToArray(), names, Framework, now));
        }

        batch.BatchCommands.Add(Command("""
            SELECT id, name, status = 'Active' FROM agents WHERE team_id = $1 AND (name = ANY($2) OR id = ANY($3))
            """, teamId, names, ids));
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
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

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}

/// <summary>An agent a span named: <see cref="Id"/> is empty when the team has no such agent.</summary>
public readonly record struct AgentLookup(Guid Id, bool Active)
{
    public static AgentLookup Unknown => new(Guid.Empty, false);

    public bool Exists => Id != Guid.Empty;
}
