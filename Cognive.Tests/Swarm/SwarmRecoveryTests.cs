using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Governance;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Swarm;

/// <summary>
/// Recovery under repeated and mass failure: a crash-looping kind escalates, then its circuit opens (quarantine and
/// alert) and stays open for the cooldown, and the replica its scale-up added goes once it is healthy again; a third of
/// a team's instances failing at once is recovered at a bounded rate.
/// </summary>
[Collection(BootsOwnAppHost.Name)]
public sealed class SwarmRecoveryTests(CrashLoopApp fixture) : IClassFixture<CrashLoopApp>
{
    private const int MaxPerMinute = 3;
    private readonly CogniveApp _app = fixture.App;

    [Fact]
    public async Task A_crash_looping_kind_is_restarted_at_most_three_times_then_quarantined_with_an_alert_until_the_cooldown_ends_and_scaled_back_down()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = new SwarmAgentProcesses(_app);
        await ReceiveAlertsAsync(swarm.Queen, ct); // the alerts' consumer group exists before anything is raised
        await Eventually.HoldsAsync(async () => (await swarm.LiveAsync("agents", ct)).Count == 1, "the agent is live", ct, TimeSpan.FromMinutes(2));

        // Every instance of the kind crashes as soon as it has joined.
        JsonElement quarantine = default;
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var live in await swarm.LiveAsync("agents", ct))
            {
                if (SwarmAgentProcesses.ProcessOf(live) is { } pid)
                {
                    SwarmAgentProcesses.Signal(pid, "KILL");
                }
            }

            quarantine = (await swarm.RecoveriesAsync(ct)).FirstOrDefault(r => r.GetProperty("action").GetString() == "quarantine");
            return quarantine.ValueKind == JsonValueKind.Object;
        }, "the crash loop opens the kind's circuit", ct, TimeSpan.FromMinutes(4));
        var openedAt = quarantine.GetProperty("decided_at").GetDateTimeOffset();

        using var refused = await swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/agents/{Guid.NewGuid()}", new
        {
            agent_id = (await swarm.InstancesAsync(ct))[0].GetProperty("agent_id").GetGuid(), capabilities = new[] { "noop" }, version = "1",
            kind = "agents",
        }, ct);
        var alerts = await ReceiveAlertsAsync(swarm.Queen, ct);

        // After the cooldown the circuit half-opens: the next attempt is made (and the kind may join again).
        await Eventually.HoldsAsync(async () => (await swarm.RecoveriesAsync(ct)).Any(r =>
                r.GetProperty("decided_at").GetDateTimeOffset() > openedAt && r.GetProperty("action").GetString() == "restart" && Acted(r)),
            "a recovery is attempted once the cooldown has passed", ct, TimeSpan.FromMinutes(3));
        var decisions = await swarm.RecoveriesAsync(ct);
        var beforeCircuit = decisions.Where(r => r.GetProperty("decided_at").GetDateTimeOffset() < openedAt).ToList();
        var duringCooldown = decisions.Where(r => r.GetProperty("decided_at").GetDateTimeOffset() > openedAt &&
            r.GetProperty("decided_at").GetDateTimeOffset() < openedAt.AddSeconds(CrashLoopApp.CooldownSeconds)).ToList();
        var afterCooldown = decisions.First(r => r.GetProperty("decided_at").GetDateTimeOffset() > openedAt && r.GetProperty("action").GetString() != "quarantine");

        Assert.Equal(["restart", "recreate", "scale_up"], beforeCircuit.Where(Acted).Select(r => r.GetProperty("action").GetString()));
        Assert.Equal([1, 2, 3], beforeCircuit.Where(Acted).Select(r => r.GetProperty("attempt").GetInt32()));
        Assert.All(beforeCircuit.Where(Acted), r => Assert.Equal("succeeded", r.GetProperty("outcome").GetString()));
        Assert.DoesNotContain(duringCooldown, Acted);
        Assert.True(afterCooldown.GetProperty("decided_at").GetDateTimeOffset() >= openedAt.AddSeconds(CrashLoopApp.CooldownSeconds),
            "nothing is restarted before the cooldown ends");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("kind-quarantined", await refused.Content.ReadAsStringAsync(ct));
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, CrashLoopApp.CooldownSeconds);
        Assert.Contains(alerts, a => a.GetProperty("alert").GetString() == "circuit_open" && a.GetProperty("kind").GetString() == "agents");
        Assert.True(await swarm.AuditCountAsync("swarm.recovery.quarantine", ct) >= 1, "the quarantine is in the audit trail");

        // Healthy again for the scale-down period: the spare the scale-up started is stopped (or found stopped), once.
        JsonElement scaleDown = default;
        await Eventually.HoldsAsync(async () =>
        {
            scaleDown = (await swarm.RecoveriesAsync(ct)).FirstOrDefault(r => r.GetProperty("action").GetString() == "scale_down");
            return scaleDown.ValueKind == JsonValueKind.Object;
        }, "the replica the scale-up added is taken back", ct, TimeSpan.FromMinutes(3));
        await Eventually.HoldsAsync(async () => !(await swarm.LiveAsync("agents", ct)).Any(i => i.GetProperty("host").GetString()!.StartsWith("agents-spare", StringComparison.Ordinal)),
            "no spare replica runs", ct, TimeSpan.FromMinutes(1));
        var kinds = await swarm.KindsAsync(ct);
        Assert.Contains(scaleDown.GetProperty("outcome").GetString(), new[] { "succeeded", "gone" });
        Assert.True(scaleDown.GetProperty("decided_at").GetDateTimeOffset() >= openedAt.AddSeconds(CrashLoopApp.CooldownSeconds + CrashLoopApp.ScaleDownAfterSeconds),
            "no scale-down before the kind has been healthy for the period after its circuit closed");
        Assert.Equal(0, kinds.Single(k => k.GetProperty("kind").GetString() == "agents").GetProperty("added_replicas").GetInt32());
        Assert.True(await swarm.AuditCountAsync("swarm.recovery.scaledown", ct) >= 1, "the scale-down is in the audit trail");
    }

    [Fact]
    public async Task A_third_of_the_instances_failing_at_once_is_recovered_at_the_rate_limit_with_a_mass_failure_alert()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        await ReceiveAlertsAsync(swarm.Queen, ct);
        await using var receiver = await WebhookReceiver.AlwaysAsync(200, ct);
        using var webhook = await swarm.Team.Client.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url }, ct);
        var secret = (await TeamSession.ReadAsync(webhook, ct)).GetProperty("secret").GetString()!;
        var agentId = await swarm.Team.RegisterAgentAsync("fleet", ct);
        // Twenty instances, each its own kind (granted to the team) so no kind's circuit interferes: only the team-wide
        // limit stands in the way.
        var instances = Enumerable.Range(0, 20).Select(i => (Id: Guid.NewGuid(), Kind: $"fleet-{i}")).ToList();
        var teamId = await swarm.Team.TeamIdAsync(ct);
        foreach (var (id, kind) in instances)
        {
            await SwarmSession.GrantKindAsync(_app, kind, teamId, ct);
            using var registered = await swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/agents/{id}",
                new { agent_id = agentId, capabilities = new[] { "noop" }, version = "1", kind, host = $"{kind}-host" }, ct);
            Assert.Equal(HttpStatusCode.NoContent, registered.StatusCode);
        }

        var failing = instances.Take(6).Select(i => i.Id).ToHashSet();
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var survivors = HeartbeatAsync(swarm.Queen, instances.Select(i => i.Id).Where(id => !failing.Contains(id)).ToList(), heartbeats.Token);
        List<JsonElement> decided = [];
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                using var response = await swarm.Queen.GetAsync("/api/v1/swarm/recoveries", ct);
                decided = (await TeamSession.ReadAsync(response, ct)).EnumerateArray().ToList();
                return failing.All(id => decided.Any(r => r.GetProperty("instance_id").GetGuid() == id));
            }, "the queen decides on each failed instance", ct, TimeSpan.FromMinutes(1));
        }
        finally
        {
            await heartbeats.CancelAsync();
            await survivors;
        }

        // Their kinds are none the AppHost recovers: the port refuses each action, which still counts toward the team's rate.
        var firstMinute = decided.Where(r => r.GetProperty("decided_at").GetDateTimeOffset() < decided.Min(d => d.GetProperty("decided_at").GetDateTimeOffset()).AddMinutes(1)).ToList();
        Assert.All(decided, r => Assert.Contains(r.GetProperty("instance_id").GetGuid(), failing));
        Assert.True(firstMinute.Count(Acted) <= MaxPerMinute, $"at most {MaxPerMinute} recoveries a minute: {firstMinute.Count(Acted)}");
        Assert.True(firstMinute.Count(r => r.GetProperty("outcome").GetString() == "rate_limited") >= failing.Count - MaxPerMinute,
            "the rest wait, recorded as rate limited");
        Assert.Contains(await ReceiveAlertsAsync(swarm.Queen, ct), a => a.GetProperty("alert").GetString() == "mass_failure");

        // The alert also reaches the team's webhook, signed, as budget alerts do, and is listed with its delivery.
        await Eventually.HoldsAsync(() => Task.FromResult(receiver.Received.Count > 0), "the webhook receives the alert", ct);
        var delivered = receiver.Received.Single();
        using var body = JsonDocument.Parse(delivered.Body);
        var listed = (await swarm.Team.GetJsonAsync("/api/v1/alerts", ct)).GetProperty("items").EnumerateArray().Single();
        WebhookTests.AssertSigned(delivered, secret);
        Assert.Equal(("swarm.mass_failure", "*"), (body.RootElement.GetProperty("type").GetString(), body.RootElement.GetProperty("kind").GetString()));
        Assert.Equal(body.RootElement.GetProperty("id").GetGuid().ToString(), delivered.IdempotencyKey);
        Assert.Equal((body.RootElement.GetProperty("id").GetGuid(), "swarm.mass_failure"),
            (listed.GetProperty("id").GetGuid(), listed.GetProperty("type").GetString()));
        Assert.Contains("instances failed within a minute", listed.GetProperty("detail").GetString());
    }

    private static bool Acted(JsonElement recovery) =>
        recovery.GetProperty("outcome").GetString() is "succeeded" or "failed" or "gone" && recovery.GetProperty("action").GetString() != "quarantine";

    private static async Task<List<JsonElement>> ReceiveAlertsAsync(HttpClient queen, CancellationToken ct)
    {
        using var response = await queen.GetAsync("/api/v1/swarm/channels/health-checks/messages?group=test&consumer=test&count=100", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await TeamSession.ReadAsync(response, ct)).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body")).ToList();
    }

    private static async Task HeartbeatAsync(HttpClient queen, List<Guid> instances, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var beat in await Task.WhenAll(instances.Select(id => queen.PostAsync($"/api/v1/swarm/agents/{id}/heartbeat", null, ct))))
                {
                    beat.Dispose();
                }

                // Well inside this app's 4 s heartbeat timeout, so a busy machine does not make a survivor look dead
                // (a pace, not a wait for anything).
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The test is over.
        }
    }
}
