using System.Security.Claims;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Instances;
using Cognive.SwarmQueen.Recovery;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Cognive.SwarmQueen.Stats;

/// <summary>
/// <c>GET /api/v1/swarm/stats</c>: the team's tasks by type, priority and state, their wait and run times, instances by
/// state, and recovery decisions by action and outcome; one round trip.
/// </summary>
public static class SwarmStats
{
    private const string TasksSql = """
        SELECT type, priority, state, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM leased_at - created_at)) FILTER (WHERE leased_at IS NOT NULL),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM leased_at - created_at)) FILTER (WHERE leased_at IS NOT NULL),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - leased_at)) FILTER (WHERE state = 'Done'),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - leased_at)) FILTER (WHERE state = 'Done')
        FROM swarm_tasks WHERE team_id = $1
        GROUP BY type, priority, state ORDER BY type, priority DESC, state
        """;

    private const string InstancesSql =
        $"SELECT {InstanceStates.Current} AS current, count(*) FROM {InstanceStates.WithLoad} WHERE i.team_id = $1 GROUP BY current";

    private const string RecoveriesSql = "SELECT action, outcome, count(*) FROM swarm_recoveries WHERE team_id = $1 GROUP BY action, outcome";

    public static RouteGroupBuilder MapSwarmStats(this RouteGroupBuilder swarm)
    {
        swarm.MapGet("/stats", GetAsync).WithTags("Swarm").RequireAuthorization(Permissions.AgentRead);
        return swarm;
    }

    private static async Task<Ok<SwarmStatsResponse>> GetAsync(ClaimsPrincipal user, NpgsqlDataSource db, CancellationToken ct)
    {
        var teamId = Callers.TeamIdOf(user);
        await using var batch = db.CreateBatch();
        foreach (var sql in new[] { TasksSql, InstancesSql, RecoveriesSql })
        {
            batch.BatchCommands.Add(new(sql) { Parameters = { new() { Value = teamId } } });
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        var groups = new List<TaskGroup>();
        while (await reader.ReadAsync(ct))
        {
            groups.Add(new TaskGroup(reader.GetString(0), reader.GetInt32(1), reader.GetString(2).ToLowerInvariant(), reader.GetInt64(3),
                Seconds(reader, 4), Seconds(reader, 5), Seconds(reader, 6), Seconds(reader, 7)));
        }

        await reader.NextResultAsync(ct);
        var instances = new Dictionary<string, long>();
        while (await reader.ReadAsync(ct))
        {
            instances[reader.GetString(0).ToLowerInvariant()] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(ct);
        var recoveries = new Dictionary<string, Dictionary<string, long>>();
        while (await reader.ReadAsync(ct))
        {
            var action = RecoveryLedger.Snake(reader.GetString(0));
            if (!recoveries.TryGetValue(action, out var outcomes))
            {
                recoveries[action] = outcomes = [];
            }

            outcomes[RecoveryLedger.Snake(reader.GetString(1))] = reader.GetInt64(2);
        }

        return TypedResults.Ok(new SwarmStatsResponse(groups, instances, recoveries));
    }

    private static double? Seconds(NpgsqlDataReader row, int column) => row.IsDBNull(column) ? null : row.GetDouble(column);
}

/// <param name="WaitP50Seconds">Submitted → (last) leased, over the group's tasks that were leased.</param>
/// <param name="RunP50Seconds">Leased → done, over the group's finished tasks.</param>
public sealed record TaskGroup(string Type, int Priority, string State, long Tasks, double? WaitP50Seconds, double? WaitP95Seconds,
    double? RunP50Seconds, double? RunP95Seconds);

/// <param name="Recoveries">The queen's recovery decisions by action, then by outcome.</param>
public sealed record SwarmStatsResponse(IReadOnlyList<TaskGroup> Tasks, IReadOnlyDictionary<string, long> Instances,
    IReadOnlyDictionary<string, Dictionary<string, long>> Recoveries);
