using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Swarm;

/// <summary>Alerts an agent raises through the queen: the team's alerts, audited, quiet when asked, and checked at the edge.</summary>
public sealed class SwarmAlertTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task An_agents_alert_is_listed_for_its_team_only_audited_under_its_key_and_not_repeated_within_its_quiet_time()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        var alert = new { alert = "queue_backlog", kind = "ingest", detail = "4,000 tasks waiting", quiet_minutes = 10 };

        using var first = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/alerts", alert, ct);
        using var again = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/alerts", alert, ct);
        using var otherKind = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/alerts", alert with { kind = "export" }, ct);
        var listed = (await swarm.Team.GetJsonAsync("/api/v1/alerts", ct)).GetProperty("items").EnumerateArray().ToList();
        var othersListed = (await other.Team.GetJsonAsync("/api/v1/alerts", ct)).GetProperty("items").EnumerateArray();
        var audit = (await swarm.Team.GetJsonAsync("/api/v1/audit", ct)).GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("action").GetString() == "swarm.alert.raised").ToList();
        var verification = await swarm.Team.GetJsonAsync("/api/v1/audit/verify", ct);

        Assert.Equal((HttpStatusCode.Accepted, true), (first.StatusCode, await RaisedAsync(first, ct)));
        Assert.Equal((HttpStatusCode.Accepted, false), (again.StatusCode, await RaisedAsync(again, ct)));
        Assert.True(await RaisedAsync(otherKind, ct));
        Assert.Equal([("swarm.queue_backlog", "export"), ("swarm.queue_backlog", "ingest")],
            listed.Select(a => (a.GetProperty("type").GetString(), a.GetProperty("kind").GetString())));
        Assert.All(listed, a => Assert.Equal("4,000 tasks waiting", a.GetProperty("detail").GetString()));
        Assert.Empty(othersListed);
        Assert.Equal(2, audit.Count);
        Assert.All(audit, r => Assert.StartsWith("key:", r.GetProperty("actor").GetString()));
        Assert.True(verification.GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task Of_the_same_alert_raised_at_once_within_its_quiet_time_exactly_one_is_raised()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var response = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/alerts",
                new { alert = "disk_full", kind = "ingest", detail = "no room", quiet_minutes = 5 }, ct);
            return await RaisedAsync(response, ct);
        }));

        Assert.Equal(1, answers.Count(raised => raised));
        Assert.Equal(1, (await swarm.Team.GetJsonAsync("/api/v1/alerts", ct)).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_swarm_alert_is_emailed_once_to_the_teams_leads_and_admins_only()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var lead = await People.RegisterAsync(swarm.Team.Client, "team_lead", ct);
        await People.RegisterAsync(swarm.Team.Client, "viewer", ct);

        using var raised = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/alerts",
            new { alert = "queue_backlog", kind = "ingest", detail = "4,000 tasks waiting" }, ct);
        var alertId = (await swarm.Team.GetJsonAsync("/api/v1/alerts", ct)).GetProperty("items")[0].GetProperty("id").GetString();
        await Eventually.HoldsAsync(() => Task.FromResult(shared.Mail.Received.Any(m => m.Header("X-Cognive-Alert-Id") == alertId)),
            "the alert is e-mailed", ct);

        var mail = Assert.Single(shared.Mail.Received, m => m.Header("X-Cognive-Alert-Id") == alertId);
        Assert.Equal([lead.Email], mail.Recipients);
        Assert.Equal("Swarm alert queue_backlog (ingest)", mail.Header("Subject"));
        Assert.Contains("4,000 tasks waiting", mail.Data);
    }

    [Theory]
    [InlineData("""{"alert":"circuit_open","detail":"x"}""", "alert")]
    [InlineData("""{"alert":"has space","detail":"x"}""", "alert")]
    [InlineData("""{"detail":"x"}""", "alert")]
    [InlineData("""{"alert":"ok","kind":"a/b","detail":"x"}""", "kind")]
    [InlineData("""{"alert":"ok","detail":""}""", "detail")]
    [InlineData("""{"alert":"ok","detail":"x","quiet_minutes":1441}""", "quiet_minutes")]
    public async Task A_bad_alert_is_refused_with_the_field_named(string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);

        using var response = await swarm.Queen.PostAsync("/api/v1/swarm/alerts", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await TeamSession.ReadAsync(response, ct);
        var listed = (await swarm.Team.GetJsonAsync("/api/v1/alerts", ct)).GetProperty("items");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, listed.GetArrayLength());
    }

    private static async Task<bool> RaisedAsync(HttpResponseMessage response, CancellationToken ct) =>
        (await TeamSession.ReadAsync(response, ct)).GetProperty("raised").GetBoolean();
}
