using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Swarm;

/// <summary>
/// A hostile tenant against the queen's recovery: a kind belongs to one team (the AppHost's agents to the swarm team,
/// others as an operator grants them), so no team can make the queen restart, recreate or scale processes not its own,
/// and an instance without a kind is only failed over. Failovers never escalate toward a scale-up.
/// </summary>
public sealed class SwarmKindOwnershipTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_team_cannot_register_as_the_swarms_agents_nor_on_a_replicas_host_nor_as_a_server()
    {
        var ct = TestContext.Current.CancellationToken;
        using var agents = new SwarmAgentProcesses(_app);
        await Eventually.HoldsAsync(async () => (await agents.LiveAsync("agents", ct)).Count >= 1, "an agent replica is live", ct,
            TimeSpan.FromMinutes(2));
        var host = (await agents.LiveAsync("agents", ct))[0].GetProperty("host").GetString();
        using var tenant = await SwarmSession.CreateAsync(_app, ct);
        var agentId = await tenant.Team.RegisterAgentAsync("hostile", ct);

        using var asAgents = await RegisterAsync(tenant, agentId, "agents", host, ct);
        using var asAgentsNowhere = await RegisterAsync(tenant, agentId, "agents", null, ct);
        using var asDatabase = await RegisterAsync(tenant, agentId, "postgres", "postgres-0", ct);
        using var onTheReplica = await RegisterAsync(tenant, agentId, null, host, ct);
        using var listed = await tenant.Queen.GetAsync("/api/v1/swarm/agents", ct);

        await AssertRefusedAsync(asAgents, "kind", ct);
        await AssertRefusedAsync(asAgentsNowhere, "kind", ct);
        await AssertRefusedAsync(asDatabase, "kind", ct);
        await AssertRefusedAsync(onTheReplica, "host", ct);
        Assert.Equal(0, (await TeamSession.ReadAsync(listed, ct)).GetArrayLength());
    }

    [Fact]
    public async Task Instances_without_a_kind_that_die_are_only_failed_over_and_never_escalate()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tenant = await SwarmSession.CreateAsync(_app, ct);
        // Three at once: today's third decision of a kind would be its scale-up.
        var instances = new[]
        {
            await tenant.RegisterInstanceAsync(["noop"], ct), await tenant.RegisterInstanceAsync(["noop"], ct),
            await tenant.RegisterInstanceAsync(["noop"], ct),
        };

        var decided = await DecidedAsync(tenant, instances, ct);

        Assert.All(decided, r => Assert.Equal(("failover", "succeeded", 0),
            (r.GetProperty("action").GetString(), r.GetProperty("outcome").GetString(), r.GetProperty("attempt").GetInt32())));
    }

    [Fact]
    public async Task A_granted_kinds_hosted_instance_gets_a_process_action_and_its_failovers_do_not_escalate()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tenant = await SwarmSession.CreateAsync(_app, ct);
        var kind = $"research-{Guid.NewGuid():N}";
        await SwarmSession.GrantKindAsync(_app, kind, await tenant.Team.TeamIdAsync(ct), ct);
        var agentId = await tenant.Team.RegisterAgentAsync("research", ct);
        var hosted = Guid.NewGuid();
        using (var registered = await RegisterAsync(tenant, agentId, kind, $"{kind}-0", ct, hosted))
        {
            Assert.Equal(HttpStatusCode.NoContent, registered.StatusCode);
        }

        var hostless = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            hostless.Add(Guid.NewGuid());
            using var registered = await RegisterAsync(tenant, agentId, kind, null, ct, hostless[^1]);
            Assert.Equal(HttpStatusCode.NoContent, registered.StatusCode);
        }

        var decided = await DecidedAsync(tenant, [hosted, .. hostless], ct);

        // Newest first: its first decision is the last (a failed restart is tried again after a while).
        var restart = decided.Last(r => r.GetProperty("instance_id").GetGuid() == hosted);
        Assert.Equal("restart", restart.GetProperty("action").GetString());
        // The kind is the tenant's, but no process of this installation: the port's allow-list refuses it.
        Assert.Equal("failed", restart.GetProperty("outcome").GetString());
        Assert.Contains("none of the kinds this installation recovers", restart.GetProperty("detail").GetString());
        Assert.All(decided.Where(r => r.GetProperty("instance_id").GetGuid() != hosted),
            r => Assert.Equal(("failover", 0), (r.GetProperty("action").GetString(), r.GetProperty("attempt").GetInt32())));
        Assert.Contains(await AuditAsync(await tenant.Team.TeamIdAsync(ct), ct), a => a.Action == "swarm.recovery.restart" && a.Actor == "swarm-queen");
    }

    [Fact]
    public async Task A_kind_registers_only_while_an_admin_has_granted_it_and_grants_registrations_and_deregistrations_are_audited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var tenant = await SwarmSession.CreateAsync(_app, ct);
        using var admins = SwarmSession.OfTheAdmins(_app);
        var teamId = await tenant.Team.TeamIdAsync(ct);
        var kind = $"research-{Guid.NewGuid():N}";
        var agentId = await tenant.Team.RegisterAgentAsync("research", ct);
        var instanceId = Guid.NewGuid();

        using var beforeGrant = await RegisterAsync(tenant, agentId, kind, $"{kind}-0", ct, instanceId);
        using var grantedByTenant = await tenant.Queen.PutAsJsonAsync($"/api/v1/swarm/kinds/{kind}", new { team_id = teamId }, ct);
        using var granted = await admins.Queen.PutAsJsonAsync($"/api/v1/swarm/kinds/{kind}", new { team_id = teamId }, ct);
        using var afterGrant = await RegisterAsync(tenant, agentId, kind, $"{kind}-0", ct, instanceId);
        using var owned = await tenant.Queen.GetAsync("/api/v1/swarm/kinds", ct);
        using var left = await tenant.Queen.DeleteAsync($"/api/v1/swarm/agents/{instanceId}", ct);
        using var revoked = await admins.Queen.DeleteAsync($"/api/v1/swarm/kinds/{kind}", ct);
        using var afterRevoke = await RegisterAsync(tenant, agentId, kind, $"{kind}-0", ct, instanceId);

        await AssertRefusedAsync(beforeGrant, "kind", ct);
        Assert.Equal(HttpStatusCode.Forbidden, grantedByTenant.StatusCode);
        Assert.Contains("installation-admin-required", await grantedByTenant.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.NoContent, granted.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, afterGrant.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await AssertRefusedAsync(afterRevoke, "kind", ct);

        var tenantAudit = await AuditAsync(teamId, ct);
        var adminAudit = await AuditAsync(await admins.Team.TeamIdAsync(ct), ct);
        var tenantActor = tenantAudit.Single(a => a.Action == "swarm.instance.registered").Actor;
        Assert.StartsWith("key:", tenantActor);
        Assert.Equal(tenantActor, tenantAudit.Single(a => a.Action == "swarm.instance.deregistered").Actor);
        Assert.Single(tenantAudit, a => a.Action == "swarm.kind.granted" && a.TargetId == kind);
        Assert.Single(tenantAudit, a => a.Action == "swarm.kind.revoked" && a.TargetId == kind);
        Assert.Single(adminAudit, a => a.Action == "swarm.kind.granted" && a.TargetId == kind && a.Actor.StartsWith("key:", StringComparison.Ordinal));
        Assert.Single(adminAudit, a => a.Action == "swarm.kind.revoked" && a.TargetId == kind);
        Assert.DoesNotContain(tenantAudit, a => a.Action == "swarm.kind.granted" && a.Actor == tenantActor);
        Assert.Contains((await TeamSession.ReadAsync(owned, ct)).EnumerateArray(), k => k.GetProperty("kind").GetString() == kind);
    }

    private static Task<HttpResponseMessage> RegisterAsync(SwarmSession swarm, Guid agentId, string? kind, string? host, CancellationToken ct,
        Guid? instanceId = null) =>
        swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/agents/{instanceId ?? Guid.NewGuid()}",
            new { agent_id = agentId, capabilities = new[] { "noop" }, version = "1", kind, host }, ct);

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field, CancellationToken ct)
    {
        var problem = await TeamSession.ReadAsync(response, ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"https://cognive.dev/problems/{field}-not-owned", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    /// <summary>The queen's (finished) decision on each of the silent instances: they die at the heartbeat timeout, recovery after the grace.</summary>
    private static async Task<List<JsonElement>> DecidedAsync(SwarmSession swarm, IReadOnlyList<Guid> instances, CancellationToken ct)
    {
        List<JsonElement> decided = [];
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await swarm.Queen.GetAsync("/api/v1/swarm/recoveries", ct);
            decided = (await TeamSession.ReadAsync(response, ct)).EnumerateArray()
                .Where(r => r.GetProperty("outcome").GetString() != "started").ToList();
            return instances.All(id => decided.Any(r => r.GetProperty("instance_id").GetGuid() == id));
        }, "the queen decides on every silent instance", ct, TimeSpan.FromMinutes(2));
        return decided;
    }

    private async Task<List<(string Action, string Actor, string TargetId)>> AuditAsync(Guid teamId, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(await _app.GetConnectionStringAsync("cognive", ct));
        await db.OpenAsync(ct);
        await using var query = new NpgsqlCommand("SELECT action, actor, target_id FROM audit_records WHERE team_id = $1 ORDER BY id", db);
        query.Parameters.AddWithValue(teamId);
        var records = new List<(string, string, string)>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            records.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return records;
    }
}
