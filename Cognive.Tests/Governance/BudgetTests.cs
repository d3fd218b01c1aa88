using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.Tests.Governance;

/// <summary>Budgets enforced in real time: concurrent checks, ingestion over budget, thresholds, Redis loss.</summary>
[Collection(StopsSharedResources.Name)]
public sealed class BudgetTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Of_200_concurrent_checks_against_a_budget_that_fits_10_exactly_10_are_allowed_and_settle_to_the_stored_spend()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("racer", ct);
        var budget = await CreateBudgetAsync(team, new { name = "race", agent_id = agentId, amount_usd = 1.0m, period = "total" }, ct);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await team.Client.PostAsJsonAsync("/api/v1/budgets/check",
                new { agent_id = agentId, estimated_cost_usd = 0.1m }, ct);
            return (response.StatusCode, Body: await TeamSession.ReadAsync(response, ct));
        }));
        var allowed = answers.Where(a => a.StatusCode == HttpStatusCode.OK).ToList();
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();

        Assert.Equal(10, allowed.Count);
        Assert.Equal(190, refused.Count);
        Assert.All(allowed, a => Assert.True(a.Body.GetProperty("allowed").GetBoolean()));
        Assert.All(refused, r => Assert.Equal(budget, r.Body.GetProperty("budget_id").GetGuid()));
        Assert.Equal(1.0m, refused[0].Body.GetProperty("limit").GetDecimal());

        // Each allowed call happens and is reported with its reservation: the holds are released, the spend is the real cost.
        var runId = await team.StartRunAsync(agentId, ct);
        foreach (var reservation in allowed.Select(a => a.Body.GetProperty("reservation_id").GetGuid()))
        {
            using var posted = await team.Client.PostAsJsonAsync($"/api/v1/runs/{runId}/llm-calls", new
            {
                provider = "openai", model = "gpt-4o-mini", input_tokens = 1000, output_tokens = 200, latency_ms = 300,
                status = "success", reservation_id = reservation,
            }, ct);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        await team.WaitForRunCallsAsync(runId, 10, ct);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await _app.GetConnectionStringAsync("redis", ct));
        var stem = $"cognive:budget:{budget:N}:19700101";
        var storedCost = await ScalarDecimalAsync("SELECT sum(cost) FROM llm_calls WHERE agent_id = $1", agentId, ct);
        await Eventually.HoldsAsync(async () =>
            (long)await redis.GetDatabase().HashGetAsync(stem + ":held", "_total") == 0 &&
            decimal.Parse((await redis.GetDatabase().StringGetAsync(stem + ":spent")).ToString(), CultureInfo.InvariantCulture) == storedCost,
            "no reservation is left held and Redis' spend equals PostgreSQL's", ct);
    }

    [Fact]
    public async Task A_call_for_an_agent_over_its_hard_budget_is_recorded_flagged_and_answered_429()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("spender", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        var budget = await CreateBudgetAsync(team, new { name = "tiny", agent_id = agentId, amount_usd = 0.0001m, period = "daily" }, ct);

        using var first = await team.PostCallAsync(runId, TeamSession.Call(), ct);
        await team.WaitForRunCallsAsync(runId, 1, ct);
        // Until the first call's spend reaches Redis, later calls are still within budget (and stored unflagged): each
        // attempt is a new call, and the one answered 429 is the one that must be flagged.
        var overId = Guid.Empty;
        JsonElement refusal = default;
        await Eventually.HoldsAsync(async () =>
        {
            overId = Guid.NewGuid();
            using var over = await team.PostCallAsync(runId, TeamSession.Call(eventId: overId), ct);
            refusal = await TeamSession.ReadAsync(over, ct);
            return over.StatusCode == HttpStatusCode.TooManyRequests && over.Headers.RetryAfter is not null;
        }, "a call past the budget is answered 429", ct);
        string? flag = null;
        await Eventually.HoldsAsync(async () => (flag = await ScalarTextAsync("SELECT flag FROM llm_calls WHERE event_id = $1", overId, ct)) is not null,
            "the refused call is stored", ct);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(budget, refusal.GetProperty("budget_id").GetGuid());
        Assert.False(refusal.GetProperty("allowed").GetBoolean());
        Assert.True(refusal.GetProperty("spent").GetDecimal() >= 0.0001m);
        Assert.Equal(DateTimeOffset.UtcNow.Date.AddDays(1), refusal.GetProperty("resets_at").GetDateTimeOffset().UtcDateTime.Date);
        Assert.True(refusal.GetProperty("recorded").GetBoolean());
        Assert.Equal($"over_budget:{budget}", flag);
    }

    [Fact]
    public async Task Each_threshold_fires_once_per_period_even_when_calls_are_delivered_again()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("alerted", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        // gpt-4o-mini: 1,000 in + 200 out costs 0.00027 USD: four calls cross 80 % of 0.00125 (0.00108), five cross 90 and 100 %.
        var budget = await CreateBudgetAsync(team, new { name = "watched", amount_usd = 0.00125m, period = "monthly", mode = "soft" }, ct);
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToList();

        foreach (var id in ids)
        {
            using var posted = await team.PostCallAsync(runId, TeamSession.Call(eventId: id), ct);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        await team.WaitForRunCallsAsync(runId, 6, ct);
        using (var again = await team.PostBatchAsync(ids.Select(id => TeamSession.Call(eventId: id, runId: runId)), ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        }

        var alertCount = 0L;
        await Eventually.HoldsAsync(async () =>
            (alertCount = await ScalarLongAsync("SELECT count(*) FROM budget_alerts WHERE budget_id = $1", budget, ct)) >= 3,
            "three thresholds fired", ct);
        var thresholds = await ScalarTextAsync(
            "SELECT string_agg(threshold::text, ',' ORDER BY threshold) FROM budget_alerts WHERE budget_id = $1", budget, ct);
        // The workers give Redis the new spend just after recording the alerts: the budget shows it a moment later.
        var spent = 0m;
        await Eventually.HoldsAsync(async () =>
            (spent = (await team.GetJsonAsync($"/api/v1/budgets/{budget}", ct)).GetProperty("spent_usd").GetDecimal()) >= 0.00162m,
            "the budget shows the six calls' spend", ct);

        Assert.Equal(3, alertCount);
        Assert.Equal("80,90,100", thresholds);
        Assert.Equal(6, (await team.WaitForRunCallsAsync(runId, 6, ct)).GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(0.00162m, spent);
    }

    [Fact]
    public async Task Checks_fail_closed_while_Redis_is_down_and_rebuild_the_spend_from_PostgreSQL_when_it_is_back_empty()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("resilient", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        await CreateBudgetAsync(team, new { name = "team", amount_usd = 0.001m, period = "weekly" }, ct);
        using (var posted = await team.PostCallAsync(runId, TeamSession.Call(), ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        await team.WaitForRunCallsAsync(runId, 1, ct);
        await _app.StopResourceAsync("redis", ct);
        HttpResponseMessage? whileDown = null;
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                whileDown?.Dispose();
                whileDown = await team.Client.PostAsJsonAsync("/api/v1/budgets/check", new { agent_id = agentId, estimated_cost_usd = 0.0001m }, ct);
                return whileDown.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, "checks are refused while Redis is down", ct);
        }
        finally
        {
            await _app.StartResourceAsync("redis", ct);
        }

        await using (var redis = await ConnectionMultiplexer.ConnectAsync(await _app.GetConnectionStringAsync("redis", ct) + ",allowAdmin=true"))
        {
            // Redis back without its data: nothing Cognive counted may be lost.
            await redis.GetServers().Single().FlushAllDatabasesAsync();
        }

        JsonElement allowed = default;
        await Eventually.HoldsAsync(async () =>
        {
            using var check = await team.Client.PostAsJsonAsync("/api/v1/budgets/check", new { agent_id = agentId, estimated_cost_usd = 0.0007m }, ct);
            allowed = await TeamSession.ReadAsync(check, ct);
            return check.StatusCode == HttpStatusCode.OK;
        }, "checks are answered again once Redis is back", ct, TimeSpan.FromMinutes(2));
        using var refused = await team.Client.PostAsJsonAsync("/api/v1/budgets/check", new { agent_id = agentId, estimated_cost_usd = 0.0001m }, ct);
        var body = await TeamSession.ReadAsync(refused, ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDown!.StatusCode);
        Assert.NotNull(whileDown.Headers.RetryAfter);
        Assert.Equal("application/problem+json", whileDown.Content.Headers.ContentType?.MediaType);
        // 0.001 - 0.00027 spent (rebuilt from PostgreSQL) - 0.0007 held = 0.00003 left; a further 0.0001 does not fit.
        Assert.Equal(0.00003m, allowed.GetProperty("remaining").GetDecimal());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(0.00027m, body.GetProperty("spent").GetDecimal());
        Assert.Equal(0.0007m, body.GetProperty("reserved").GetDecimal());
        whileDown.Dispose();
    }

    [Theory]
    [InlineData("""{"name":"x","amount_usd":-1,"period":"daily"}""", "amount_usd")]
    [InlineData("""{"name":"x","amount_usd":10,"period":"hourly"}""", "period")]
    [InlineData("""{"name":"x","amount_usd":10,"period":"daily","mode":"strict"}""", "mode")]
    [InlineData("""{"name":"x","amount_usd":10,"period":"daily","thresholds":[0]}""", "thresholds")]
    [InlineData("""{"name":"x","amount_usd":10,"period":"daily","agent_id":"0197a0a0-0000-7000-8000-000000000000"}""", "agent_id")]
    [InlineData("""{"amount_usd":10,"period":"daily"}""", "name")]
    public async Task A_bad_budget_is_refused_with_the_field_named_and_nothing_created(string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);

        using var response = await team.Client.PostAsync("/api/v1/budgets", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await TeamSession.ReadAsync(response, ct);
        var budgets = await team.GetJsonAsync("/api/v1/budgets", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
        Assert.Equal(0, budgets.GetArrayLength());
    }

    [Fact]
    public async Task Another_teams_budget_is_not_found_and_its_agent_cannot_be_checked()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        var agentId = await owner.RegisterAgentAsync("private", ct);
        var budget = await CreateBudgetAsync(owner, new { name = "mine", amount_usd = 5m, period = "daily" }, ct);

        using var read = await other.Client.GetAsync($"/api/v1/budgets/{budget}", ct);
        using var deleted = await other.Client.DeleteAsync($"/api/v1/budgets/{budget}", ct);
        using var check = await other.Client.PostAsJsonAsync("/api/v1/budgets/check", new { agent_id = agentId, estimated_cost_usd = 1m }, ct);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, check.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/v1/budgets/{budget}", ct)).StatusCode);
    }

    private static async Task<Guid> CreateBudgetAsync(TeamSession team, object budget, CancellationToken ct)
    {
        using var response = await team.Client.PostAsJsonAsync("/api/v1/budgets", budget, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await TeamSession.ReadAsync(response, ct)).GetProperty("id").GetGuid();
    }

    private async Task<object?> ScalarAsync(string sql, Guid id, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync(ct);
    }

    private async Task<decimal> ScalarDecimalAsync(string sql, Guid id, CancellationToken ct) => Convert.ToDecimal(await ScalarAsync(sql, id, ct));

    private async Task<long> ScalarLongAsync(string sql, Guid id, CancellationToken ct) => Convert.ToInt64(await ScalarAsync(sql, id, ct));

    private async Task<string?> ScalarTextAsync(string sql, Guid id, CancellationToken ct) => await ScalarAsync(sql, id, ct) as string;
}
