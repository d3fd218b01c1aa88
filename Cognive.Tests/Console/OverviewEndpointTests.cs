using System.Net;
using System.Text.Json;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Console;

/// <summary>GET /api/v1/analytics/overview: the console's landing page in one round trip, scoped to the caller's team.</summary>
public sealed class OverviewEndpointTests(SharedApp shared)
{
    [Fact]
    public async Task The_overview_holds_the_teams_spend_budgets_trend_top_spenders_and_latency_and_nothing_of_other_teams()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        using var other = await ConsoleTeam.CreateAsync(shared, ct);
        var (agentId, runId) = await team.AgentWithCallsAsync("overview-agent", 3, ct);
        await other.AgentWithCallsAsync("other-agent", 2, ct);
        await team.Session.Client.PostAsJsonAsync("/api/v1/budgets", new { name = "month", amount_usd = 1.0m, period = "monthly" }, ct);
        var cost = (await team.Session.GetJsonAsync($"/api/v1/runs/{runId}", ct)).GetProperty("totals").GetProperty("cost").GetDecimal();
        Assert.True(cost > 0);

        JsonElement overview = default;
        await Eventually.HoldsAsync(async () =>
        {
            overview = await team.Session.GetJsonAsync("/api/v1/analytics/overview?group_by=agent", ct);
            return overview.GetProperty("spent_this_month_usd").GetDecimal() == cost &&
                   overview.GetProperty("budgets").EnumerateArray().Any(b => b.GetProperty("budget").GetProperty("spent_usd").ValueKind == JsonValueKind.Number &&
                       b.GetProperty("budget").GetProperty("spent_usd").GetDecimal() == cost);
        }, "the overview counts the team's three calls", ct);

        Assert.Equal(cost, overview.GetProperty("spent_today_usd").GetDecimal());
        Assert.Equal(2, overview.GetProperty("max_staleness_seconds").GetInt32());
        var topAgent = Assert.Single(overview.GetProperty("top_agents").EnumerateArray());
        Assert.Equal((agentId, 3L, cost), (topAgent.GetProperty("agent_id").GetGuid(), topAgent.GetProperty("calls").GetInt64(), topAgent.GetProperty("cost").GetDecimal()));
        var series = Assert.Single(overview.GetProperty("trend").GetProperty("series").EnumerateArray());
        Assert.Equal(("agent", "overview-agent", cost), (overview.GetProperty("trend").GetProperty("group_by").GetString(),
            series.GetProperty("label").GetString(), series.GetProperty("total_cost").GetDecimal()));
        var model = Assert.Single(overview.GetProperty("model_health").EnumerateArray());
        Assert.Equal((3L, 0L, 850d), (model.GetProperty("calls").GetInt64(), model.GetProperty("errors").GetInt64(), model.GetProperty("latency_p95_ms").GetDouble()));
        Assert.Equal(3L, Assert.Single(overview.GetProperty("top_models").EnumerateArray()).GetProperty("calls").GetInt64());
        var budget = Assert.Single(overview.GetProperty("budgets").EnumerateArray());
        Assert.True(budget.GetProperty("forecast_usd").GetDecimal() >= cost, "the forecast extends the spend so far to the month's end");
        Assert.DoesNotContain("other-agent", overview.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_reads_the_overview_and_an_unknown_grouping_is_a_field_error()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var viewer = await team.PersonAsync("viewer", ct);
        var tokens = await People.LoginAsync(shared.App, viewer, ct);
        using var client = People.BearerClient(shared.App, tokens.AccessToken);

        using var ok = await client.GetAsync("/api/v1/analytics/overview", ct);
        using var bad = await client.GetAsync("/api/v1/analytics/overview?group_by=team", ct);
        using var anonymous = await shared.App.CreateApiClient(null).GetAsync("/api/v1/analytics/overview", ct);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await People.ReadAsync(bad, ct)).GetProperty("errors").TryGetProperty("group_by", out _));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
