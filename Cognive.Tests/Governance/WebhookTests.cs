using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Governance;

/// <summary>
/// Budget alerts delivered to webhooks by the workers: signed, retried with backoff under one idempotency key, dead
/// after the last attempt, and never held up by another team's slow receiver. Alerts are stored here the way the
/// workers' threshold check stores them: the alert and one pending delivery per live webhook of its team.
/// </summary>
public sealed class WebhookTests(SharedApp shared)
{
    /// <summary>The workers' defaults (Cognive:Webhooks), which the test app runs with.</summary>
    private const int MaxAttempts = 8;
    private const int MaxInFlightPerTeam = 4;

    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_failing_receiver_gets_the_alert_again_with_the_same_key_until_it_accepts_it_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        await using var receiver = await WebhookReceiver.FailingFirstAsync(2, ct);
        var (webhookId, secret) = await CreateWebhookAsync(team, receiver.Url, ct);
        var teamId = await team.TeamIdAsync(ct);

        var (alertId, budgetId) = await StoreAlertAsync(teamId, ct);
        var delivery = await WaitForDeliveryAsync(team, alertId, "delivered", ct);

        Assert.Equal(webhookId, delivery.GetProperty("webhook_id").GetGuid());
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal("HTTP 500 Internal Server Error", delivery.GetProperty("last_error").GetString());
        Assert.NotEqual(JsonValueKind.Null, delivery.GetProperty("delivered_at").ValueKind);
        var requests = receiver.Received;
        Assert.Equal(["1", "2", "3"], requests.Select(r => r.Attempt));
        Assert.All(requests, r => Assert.Equal(alertId.ToString(), r.IdempotencyKey));
        Assert.All(requests, r => AssertSigned(r, secret));
        // Backed off, exponentially: at least half of 2 s, then of 4 s (the defaults), whatever the jitter drew.
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1), "the first retry waits at least 1 s");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromSeconds(2), "the second retry waits at least 2 s");
        using var body = JsonDocument.Parse(requests[^1].Body);
        var alert = body.RootElement;
        Assert.Equal(alertId, alert.GetProperty("id").GetGuid());
        Assert.Equal("budget.threshold_crossed", alert.GetProperty("type").GetString());
        Assert.Equal(teamId, alert.GetProperty("team_id").GetGuid());
        Assert.Equal(budgetId, alert.GetProperty("budget_id").GetGuid());
        Assert.Equal("monthly spend", alert.GetProperty("budget_name").GetString());
        Assert.Equal(80, alert.GetProperty("threshold").GetInt32());
        Assert.Equal(80.5m, alert.GetProperty("spent_usd").GetDecimal());
        Assert.Equal(100m, alert.GetProperty("limit_usd").GetDecimal());
        Assert.True(alert.TryGetProperty("period_start", out _));
        Assert.True(alert.TryGetProperty("fired_at", out _));
    }

    [Fact]
    public async Task A_delivery_that_fails_its_last_attempt_is_dead_with_the_error_shown()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        await using var receiver = await WebhookReceiver.AlwaysAsync(503, ct);
        await CreateWebhookAsync(team, receiver.Url, ct);

        var (alertId, _) = await StoreAlertAsync(await team.TeamIdAsync(ct), ct, attemptsMade: MaxAttempts - 1);
        var delivery = await WaitForDeliveryAsync(team, alertId, "dead", ct);

        Assert.Equal(MaxAttempts, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal("HTTP 503 Service Unavailable", delivery.GetProperty("last_error").GetString());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("delivered_at").ValueKind);
        Assert.Equal([MaxAttempts.ToString(CultureInfo.InvariantCulture)], receiver.Received.Select(r => r.Attempt));
    }

    [Fact]
    public async Task An_unreachable_receiver_fails_with_the_connection_error()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await CreateWebhookAsync(team, $"http://127.0.0.1:{port}/hooks", ct);

        var (alertId, _) = await StoreAlertAsync(await team.TeamIdAsync(ct), ct, attemptsMade: MaxAttempts - 1);
        var delivery = await WaitForDeliveryAsync(team, alertId, "dead", ct);

        Assert.StartsWith("HttpRequestException: Connection refused", delivery.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task A_receiver_that_never_answers_does_not_delay_another_teams_alert()
    {
        var ct = TestContext.Current.CancellationToken;
        using var slowTeam = await TeamSession.CreateAsync(_app, ct);
        using var otherTeam = await TeamSession.CreateAsync(_app, ct);
        await using var slow = await WebhookReceiver.HangingAsync(ct);
        await using var fast = await WebhookReceiver.FailingFirstAsync(0, ct);
        var (slowWebhookId, _) = await CreateWebhookAsync(slowTeam, slow.Url, ct);
        await CreateWebhookAsync(otherTeam, fast.Url, ct);
        var slowTeamId = await slowTeam.TeamIdAsync(ct);
        try
        {
            // More alerts than the team may have in flight, so its slow receiver takes all its share.
            for (var i = 0; i < MaxInFlightPerTeam + 2; i++)
            {
                await StoreAlertAsync(slowTeamId, ct);
            }

            await Eventually.HoldsAsync(() => Task.FromResult(slow.Held >= MaxInFlightPerTeam),
                $"the slow receiver holds {MaxInFlightPerTeam} requests", ct);
            var (otherAlertId, _) = await StoreAlertAsync(await otherTeam.TeamIdAsync(ct), ct);
            await WaitForDeliveryAsync(otherTeam, otherAlertId, "delivered", ct);
            var slowDeliveries = await DeliveriesAsync(slowTeam, ct);

            Assert.All(slowDeliveries, d => Assert.Equal("pending", d.GetProperty("status").GetString()));
            Assert.All(slowDeliveries, d => Assert.Equal(JsonValueKind.Null, d.GetProperty("last_error").ValueKind));
            Assert.True(slow.Held >= MaxInFlightPerTeam, "the slow receiver still holds its requests");
            Assert.Single(fast.Received);
            await Eventually.HoldsAsync(async () => (await DeliveriesAsync(slowTeam, ct))
                    .Count(d => d.GetProperty("last_error").GetString()?.StartsWith("Timeout", StringComparison.Ordinal) == true) >= MaxInFlightPerTeam,
                "the held requests time out", ct);
        }
        finally
        {
            // Gives up the slow team's retries: they would go on against a receiver that is gone.
            using var deleted = await slowTeam.Client.DeleteAsync($"/api/v1/webhooks/{slowWebhookId}", ct);
        }
    }

    [Fact]
    public async Task Webhooks_are_created_with_a_secret_shown_once_listed_and_deleted_only_by_their_team()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);

        using var created = await team.Client.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/cognive?token=t" }, ct);
        var webhook = await TeamSession.ReadAsync(created, ct);
        var id = webhook.GetProperty("id").GetGuid();
        var secret = webhook.GetProperty("secret").GetString()!;
        using var listing = await team.Client.GetAsync("/api/v1/webhooks", ct);
        var listed = await listing.Content.ReadAsStringAsync(ct);
        var othersListing = await other.GetJsonAsync("/api/v1/webhooks", ct);
        using var othersDelete = await other.Client.DeleteAsync($"/api/v1/webhooks/{id}", ct);
        using var deleted = await team.Client.DeleteAsync($"/api/v1/webhooks/{id}", ct);
        using var deletedAgain = await team.Client.DeleteAsync($"/api/v1/webhooks/{id}", ct);
        var afterDelete = await team.GetJsonAsync("/api/v1/webhooks", ct);
        using var trail = await team.Client.GetAsync("/api/v1/audit", ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/webhooks/{id}", created.Headers.Location?.ToString());
        Assert.Equal("https://hooks.example.com/cognive?token=t", webhook.GetProperty("url").GetString());
        Assert.Matches("^whsec_[0-9a-f]{64}$", secret);
        Assert.NotEqual(JsonValueKind.Null, webhook.GetProperty("created_at").ValueKind);
        var entry = Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray());
        Assert.Equal(id, entry.GetProperty("id").GetGuid());
        Assert.False(entry.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret, listed);
        Assert.Empty(othersListing.EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, othersDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
        Assert.Empty(afterDelete.EnumerateArray());
        var audit = await trail.Content.ReadAsStringAsync(ct);
        Assert.Contains("webhook.create", audit);
        Assert.Contains("webhook.delete", audit);
        Assert.DoesNotContain(secret, audit);
        Assert.DoesNotContain("token=t", audit);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("/hooks/relative")]
    [InlineData("ftp://hooks.example.com/cognive")]
    [InlineData("file:///etc/passwd")]
    public async Task A_webhook_url_that_is_not_absolute_http_is_refused(string? url)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);

        using var response = await team.Client.PostAsJsonAsync("/api/v1/webhooks", new { url }, ct);

        await AssertUrlRefusedAsync(response, ct);
    }

    [Fact]
    public async Task A_webhook_url_longer_than_2000_characters_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var url = "https://hooks.example.com/" + new string('a', 2001 - "https://hooks.example.com/".Length);

        using var response = await team.Client.PostAsJsonAsync("/api/v1/webhooks", new { url }, ct);

        await AssertUrlRefusedAsync(response, ct);
    }

    [Fact]
    public async Task Reading_alerts_needs_cost_read_and_listing_or_changing_webhooks_budget_write()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var issued = await team.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "reader", scopes = new[] { "cost:read" } }, ct);
        using var reader = _app.CreateApiClient((await TeamSession.ReadAsync(issued, ct)).GetProperty("key").GetString());

        using var list = await reader.GetAsync("/api/v1/webhooks", ct);
        using var alerts = await reader.GetAsync("/api/v1/alerts", ct);
        using var create = await reader.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/" }, ct);
        using var delete = await reader.DeleteAsync($"/api/v1/webhooks/{Guid.NewGuid()}", ct);

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode); // listed URLs may carry the receiver's token
        Assert.Equal(HttpStatusCode.OK, alerts.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_webhook_gives_up_its_pending_deliveries()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var (webhookId, _) = await CreateWebhookAsync(team, "https://hooks.example.com/cognive", ct);
        var (alertId, _) = await StoreAlertAsync(await team.TeamIdAsync(ct), ct, attemptsMade: 2, dueIn: TimeSpan.FromHours(1));

        using var deleted = await team.Client.DeleteAsync($"/api/v1/webhooks/{webhookId}", ct);
        var delivery = Assert.Single(await DeliveriesAsync(team, ct));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(alertId, delivery.GetProperty("alert_id").GetGuid());
        Assert.Equal("dead", delivery.GetProperty("status").GetString());
        Assert.Equal("webhook deleted", delivery.GetProperty("last_error").GetString());
        Assert.Equal(2, delivery.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_delivery_queued_as_its_webhook_was_deleted_is_given_up_unsent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        await using var receiver = await WebhookReceiver.FailingFirstAsync(0, ct);
        var (webhookId, _) = await CreateWebhookAsync(team, receiver.Url, ct);
        var (alertId, _) = await StoreAlertAsync(await team.TeamIdAsync(ct), ct, dueIn: TimeSpan.FromHours(1));

        // The threshold check saw the webhook live while its deletion committed: the deletion missed this delivery.
        await using (var db = await OpenDatabaseAsync(ct))
        await using (var race = new NpgsqlBatch(db)
        {
            BatchCommands =
            {
                new("UPDATE webhooks SET deleted_at = now() WHERE id = $1") { Parameters = { new() { Value = webhookId } } },
                new("UPDATE alert_deliveries SET next_attempt_at = now() WHERE webhook_id = $1") { Parameters = { new() { Value = webhookId } } },
            },
        })
        {
            await race.ExecuteNonQueryAsync(ct);
        }

        var delivery = await WaitForDeliveryAsync(team, alertId, "dead", ct);

        Assert.Equal("webhook deleted", delivery.GetProperty("last_error").GetString());
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Alerts_are_listed_newest_first_per_team_and_filtered_by_budget()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        var teamId = await team.TeamIdAsync(ct);
        var (older, olderBudget) = await StoreAlertAsync(teamId, ct);
        var (newer, _) = await StoreAlertAsync(teamId, ct);

        var all = await team.GetJsonAsync("/api/v1/alerts", ct);
        var limited = await team.GetJsonAsync("/api/v1/alerts?limit=1", ct);
        var byBudget = await team.GetJsonAsync($"/api/v1/alerts?budget_id={olderBudget}", ct);
        var others = await other.GetJsonAsync("/api/v1/alerts", ct);
        using var badLimit = await team.Client.GetAsync("/api/v1/alerts?limit=201", ct);

        Assert.Equal([newer, older], Ids(all));
        Assert.Equal([newer], Ids(limited));
        Assert.Equal([older], Ids(byBudget));
        Assert.Empty(Ids(others));
        Assert.Empty(all.GetProperty("items")[0].GetProperty("deliveries").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    private static IEnumerable<Guid> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();

    private static async Task<(Guid Id, string Secret)> CreateWebhookAsync(TeamSession team, string url, CancellationToken ct)
    {
        using var response = await team.Client.PostAsJsonAsync("/api/v1/webhooks", new { url }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var webhook = await TeamSession.ReadAsync(response, ct);
        return (webhook.GetProperty("id").GetGuid(), webhook.GetProperty("secret").GetString()!);
    }

    /// <summary>
    /// Stores a crossed threshold of a new budget of the team, with a pending delivery to each of the team's live
    /// webhooks that has had <paramref name="attemptsMade"/> attempts and is due in <paramref name="dueIn"/>.
    /// </summary>
    private async Task<(Guid AlertId, Guid BudgetId)> StoreAlertAsync(Guid teamId, CancellationToken ct, int attemptsMade = 0,
        TimeSpan dueIn = default)
    {
        const string sql = """
            WITH budget AS (
                INSERT INTO budgets (id, team_id, name, amount_usd, period, mode, thresholds, created_at, updated_at)
                VALUES ($2, $1, 'monthly spend', 100, 'Monthly', 'Soft', '{80,90,100}', now(), now())
            ), alert AS (
                INSERT INTO budget_alerts (id, team_id, budget_id, period_start, threshold, spent_usd, limit_usd, fired_at)
                VALUES ($3, $1, $2, date_trunc('month', now()), 80, 80.5, 100, clock_timestamp())
                ON CONFLICT DO NOTHING
                RETURNING id, team_id
            )
            INSERT INTO alert_deliveries (id, team_id, alert_id, webhook_id, status, attempts, next_attempt_at)
            SELECT gen_random_uuid(), alert.team_id, alert.id, w.id, 'Pending', $4, now() + $5
            FROM alert JOIN webhooks w ON w.team_id = alert.team_id AND w.deleted_at IS NULL
            """;
        var (alertId, budgetId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using var db = await OpenDatabaseAsync(ct);
        await using var command = new NpgsqlCommand(sql, db)
        {
            Parameters =
            {
                new() { Value = teamId }, new() { Value = budgetId }, new() { Value = alertId }, new() { Value = attemptsMade },
                new() { Value = dueIn },
            },
        };
        await command.ExecuteNonQueryAsync(ct);
        return (alertId, budgetId);
    }

    private async Task<NpgsqlConnection> OpenDatabaseAsync(CancellationToken ct)
    {
        var db = new NpgsqlConnection(await _app.GetConnectionStringAsync("cognive", ct));
        await db.OpenAsync(ct);
        return db;
    }

    /// <summary>Every delivery of the team's alerts, each with its alert's id, from GET /alerts.</summary>
    private static async Task<List<JsonElement>> DeliveriesAsync(TeamSession team, CancellationToken ct)
    {
        var page = await team.GetJsonAsync("/api/v1/alerts?limit=200", ct);
        return page.GetProperty("items").EnumerateArray()
            .SelectMany(alert => alert.GetProperty("deliveries").EnumerateArray().Select(d => WithAlertId(d, alert.GetProperty("id").GetGuid())))
            .ToList();
    }

    private static JsonElement WithAlertId(JsonElement delivery, Guid alertId)
    {
        var copy = JsonSerializer.SerializeToNode(delivery)!.AsObject();
        copy["alert_id"] = alertId;
        return JsonSerializer.SerializeToElement(copy);
    }

    private static async Task<JsonElement> WaitForDeliveryAsync(TeamSession team, Guid alertId, string status, CancellationToken ct)
    {
        JsonElement delivery = default;
        await Eventually.HoldsAsync(async () =>
        {
            delivery = (await DeliveriesAsync(team, ct)).SingleOrDefault(d => d.GetProperty("alert_id").GetGuid() == alertId);
            return delivery.ValueKind == JsonValueKind.Object && delivery.GetProperty("status").GetString() == status;
        }, $"alert {alertId} is {status}", ct);
        return delivery;
    }

    /// <summary>Checks the signature as a receiver would: HMAC-SHA256 with the secret over "t.body", t recent.</summary>
    internal static void AssertSigned(ReceivedRequest request, string secret)
    {
        var parts = request.Signature!.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var signed = Encoding.UTF8.GetBytes(parts["t"] + ".").Concat(request.Body).ToArray();
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)), parts["v1"]);
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(long.Parse(parts["t"], CultureInfo.InvariantCulture));
        Assert.InRange(age, TimeSpan.FromSeconds(-5), TimeSpan.FromMinutes(5));
    }

    private static async Task AssertUrlRefusedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await TeamSession.ReadAsync(response, ct);
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));
    }
}
