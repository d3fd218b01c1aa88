using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Governance;

/// <summary>From spend to a team's webhook: thresholds crossed by real calls reach a real receiver once each.</summary>
[Collection(StopsSharedResources.Name)]
public sealed class BudgetAlertTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task An_alert_is_emailed_once_to_the_teams_leads_and_admins_only()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var lead = await People.RegisterAsync(team.Client, "team_lead", ct);
        await People.RegisterAsync(team.Client, "viewer", ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/budgets",
            new { name = "mailed", amount_usd = 0.0002m, period = "daily", mode = "soft", thresholds = new[] { 100 } }, ct);
        var budgetId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();

        await PostAllAsync(team, runId, [Guid.NewGuid(), Guid.NewGuid()], ct);
        var alertId = "";
        await Eventually.HoldsAsync(async () =>
        {
            var alerts = (await team.GetJsonAsync($"/api/v1/alerts?budget_id={budgetId}", ct)).GetProperty("items");
            alertId = alerts.GetArrayLength() == 1 ? alerts[0].GetProperty("id").GetString()! : "";
            return alertId != "" && shared.Mail.Received.Any(m => m.Header("X-Cognive-Alert-Id") == alertId);
        }, "the alert is e-mailed", ct);
        await team.WaitForRunCallsAsync(runId, 2, ct);
        var mails = shared.Mail.Received.Where(m => m.Header("X-Cognive-Alert-Id") == alertId).ToList();

        var mail = Assert.Single(mails);
        Assert.Equal([lead.Email], mail.Recipients);
        Assert.Equal("Budget 'mailed' reached 100 %", mail.Header("Subject"));
    }

    [Fact]
    public async Task An_alert_that_cannot_be_mailed_is_marked_failed_and_the_mailer_goes_on_with_other_teams()
    {
        var ct = TestContext.Current.CancellationToken;
        var workers = _app.ServiceProcessIds("workers").Single();
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        // Data older than today's validation: a budget name with a line break (a header injection), a lead whose address
        // is not one. Each alone used to stop the workers process at the first alert of its team.
        using var headerInjection = await TeamSession.CreateAsync(_app, ct);
        await People.RegisterAsync(headerInjection.Client, "team_lead", ct);
        var injected = await AlertingBudgetAsync(headerInjection, ct);
        await ExecuteAsync(db, "UPDATE budgets SET name = $2 WHERE id = $1", injected, "evil\r\nBcc: victim@example.test", ct);
        using var badAddress = await TeamSession.CreateAsync(_app, ct);
        var lead = await People.RegisterAsync(badAddress.Client, "team_lead", ct);
        var unaddressable = await AlertingBudgetAsync(badAddress, ct);
        await ExecuteAsync(db, "UPDATE users SET email = $2 WHERE id = $1", lead.Id, $"a@b@{Guid.NewGuid():N}", ct);
        using var healthy = await TeamSession.CreateAsync(_app, ct);
        var healthyLead = await People.RegisterAsync(healthy.Client, "team_lead", ct);
        var fine = await AlertingBudgetAsync(healthy, ct);

        var poisoned = await FireAsync(headerInjection, injected, ct);
        var misaddressed = await FireAsync(badAddress, unaddressable, ct);
        await Eventually.HoldsAsync(async () => (await AlertOfAsync(badAddress, unaddressable, ct)).Count == 1, "the second alert fired", ct);
        var mailed = await FireAsync(healthy, fine, ct);
        await Eventually.HoldsAsync(() => Task.FromResult(shared.Mail.Received.Any(m => m.Header("X-Cognive-Alert-Id") == mailed)),
            "the healthy team's alert is e-mailed", ct, TimeSpan.FromMinutes(1));

        foreach (var (team, budget) in new[] { (headerInjection, injected), (badAddress, unaddressable) })
        {
            var alert = (await AlertOfAsync(team, budget, ct)).Single();
            Assert.Equal("failed", alert.GetProperty("email_status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(alert.GetProperty("email_error").GetString()));
        }

        Assert.DoesNotContain(shared.Mail.Received, m => m.Header("X-Cognive-Alert-Id") is { } id && (id == poisoned || id == misaddressed));
        Assert.DoesNotContain(shared.Mail.Received, m => m.Data.Contains("victim@example.test", StringComparison.Ordinal));
        Assert.Equal([healthyLead.Email], shared.Mail.Received.Single(m => m.Header("X-Cognive-Alert-Id") == mailed).Recipients);
        Assert.Equal("sent", (await AlertOfAsync(healthy, fine, ct)).Single().GetProperty("email_status").GetString());
        Assert.Equal(workers, _app.ServiceProcessIds("workers").Single());
    }

    private static async Task<Guid> AlertingBudgetAsync(TeamSession team, CancellationToken ct)
    {
        using var created = await team.Client.PostAsJsonAsync("/api/v1/budgets",
            new { name = "poison-or-not", amount_usd = 0.0002m, period = "daily", mode = "soft", thresholds = new[] { 100 } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();
    }

    /// <summary>Spends past the budget and waits for its alert; its id.</summary>
    private static async Task<string> FireAsync(TeamSession team, Guid budgetId, CancellationToken ct)
    {
        var runId = await team.StartRunOfNewAgentAsync(ct);
        await PostAllAsync(team, runId, [Guid.NewGuid(), Guid.NewGuid()], ct);
        var id = "";
        await Eventually.HoldsAsync(async () =>
        {
            var alerts = await AlertOfAsync(team, budgetId, ct);
            id = alerts.Count == 1 ? alerts[0].GetProperty("id").GetString()! : "";
            return id != "";
        }, "the alert fired", ct);
        return id;
    }

    private static async Task<List<JsonElement>> AlertOfAsync(TeamSession team, Guid budgetId, CancellationToken ct) =>
        (await team.GetJsonAsync($"/api/v1/alerts?budget_id={budgetId}", ct)).GetProperty("items").EnumerateArray().ToList();

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, Guid id, string value, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = value });
        Assert.Equal(1, await command.ExecuteNonQueryAsync(ct));
    }

    [Fact]
    public async Task Each_threshold_reaches_the_webhook_once_signed_across_a_worker_crash_duplicates_and_a_failing_receiver()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await WebhookReceiver.FailingFirstAsync(2, ct);
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var hook = await team.Client.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url }, ct);
        var secret = (await TeamSession.ReadAsync(hook, ct)).GetProperty("secret").GetString()!;
        var runId = await team.StartRunOfNewAgentAsync(ct);
        // gpt-4o-mini, 1,000 in + 200 out: 0.00027 USD a call. Four calls cross 80 % of 0.00125; five cross 90 and 100 %.
        using var created = await team.Client.PostAsJsonAsync("/api/v1/budgets",
            new { name = "alerting", amount_usd = 0.00125m, period = "monthly", mode = "soft" }, ct);
        var budgetId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();

        await PostAllAsync(team, runId, ids[..4], ct);
        await team.WaitForRunCallsAsync(runId, 4, ct);
        await _app.CrashAndRestartAsync("workers", ct);
        await PostAllAsync(team, runId, ids[4..], ct);
        using (var again = await team.PostBatchAsync(ids.Select(id => TeamSession.Call(eventId: id, runId: runId)), ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        JsonElement alerts = default;
        await Eventually.HoldsAsync(async () =>
        {
            alerts = (await team.GetJsonAsync($"/api/v1/alerts?budget_id={budgetId}", ct)).GetProperty("items");
            return alerts.GetArrayLength() >= 3 && alerts.EnumerateArray().All(a =>
                a.GetProperty("deliveries").EnumerateArray().Single().GetProperty("status").GetString() == "delivered");
        }, "three alerts delivered", ct, TimeSpan.FromMinutes(2));
        var received = receiver.Received;

        Assert.Equal([80, 90, 100], alerts.EnumerateArray().Select(a => a.GetProperty("threshold").GetInt32()).Order());
        Assert.Equal(3, received.Select(r => r.IdempotencyKey).Distinct().Count());
        Assert.Equal(alerts.EnumerateArray().Select(a => a.GetProperty("id").GetString()).Order(),
            received.Select(r => r.IdempotencyKey).Distinct().Order());
        // Two refused attempts, then one delivery per alert: nothing sent twice once it was taken.
        Assert.Equal(5, received.Count);
        Assert.All(received, r => WebhookTests.AssertSigned(r, secret));
    }

    private static async Task PostAllAsync(TeamSession team, Guid runId, IEnumerable<Guid> ids, CancellationToken ct)
    {
        foreach (var id in ids)
        {
            using var posted = await team.PostCallAsync(runId, TeamSession.Call(eventId: id), ct);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }
    }
}
