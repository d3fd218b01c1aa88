using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>No endpoint of runs, calls, pricing or analytics shows or changes another team's data.</summary>
public sealed class TelemetryIsolationTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Another_team_cannot_see_or_touch_a_teams_runs_calls_or_spend()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = await TeamSession.CreateAsync(_app, ct);
        using var intruder = await TeamSession.CreateAsync(_app, ct);
        var agentId = await owner.RegisterAgentAsync("private", ct);
        var runId = await owner.StartRunAsync(agentId, ct);
        using var call = await owner.PostCallAsync(runId, TeamSession.Call(), ct);
        await owner.WaitForRunCallsAsync(runId, 1, ct);

        using var getRun = await intruder.Client.GetAsync($"/api/v1/runs/{runId}", ct);
        using var listCalls = await intruder.Client.GetAsync($"/api/v1/runs/{runId}/llm-calls", ct);
        using var listRuns = await intruder.Client.GetAsync($"/api/v1/agents/{agentId}/runs", ct);
        using var startRun = await intruder.Client.PostAsJsonAsync("/api/v1/runs/start", new { agent_id = agentId }, ct);
        using var endRun = await intruder.Client.PostAsJsonAsync($"/api/v1/runs/{runId}/end", new { status = "cancelled" }, ct);
        using var postCall = await intruder.PostCallAsync(runId, TeamSession.Call(), ct);
        using var postBatch = await intruder.PostBatchAsync([TeamSession.Call(runId: runId)], ct);
        using var addPrice = await intruder.Client.PostAsJsonAsync("/api/v1/pricing",
            new { provider = "openai", model = "gpt-4o-mini", input_per_million = 0, output_per_million = 0 }, ct);
        var trends = await intruder.GetJsonAsync("/api/v1/analytics/cost-trends?period=24h", ct);
        var summary = await intruder.GetJsonAsync("/api/v1/analytics/summary?period=24h", ct);
        var ownRuns = await owner.GetJsonAsync($"/api/v1/agents/{agentId}/runs", ct);
        var run = await owner.GetJsonAsync($"/api/v1/runs/{runId}", ct);

        Assert.Equal(HttpStatusCode.NotFound, getRun.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, listCalls.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, listRuns.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, startRun.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, endRun.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, postCall.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, postBatch.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, addPrice.StatusCode);
        Assert.Empty(trends.GetProperty("series").EnumerateArray());
        Assert.Equal(0, summary.GetProperty("calls").GetInt64());
        Assert.Single(ownRuns.GetProperty("items").EnumerateArray());
        Assert.Equal("running", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("totals").GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task Only_an_admin_key_adds_a_price_version_and_new_calls_are_priced_with_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = _app.CreateApiClient(_app.AdminApiKey);
        using var team = await TeamSession.CreateAsync(_app, ct);
        var model = $"house-model-{Guid.NewGuid():N}";

        using var added = await admin.PostAsJsonAsync("/api/v1/pricing",
            new { provider = "cognive", model, input_per_million = 2.0m, output_per_million = 8.0m }, ct);
        using var past = await admin.PostAsJsonAsync("/api/v1/pricing",
            new { provider = "cognive", model, input_per_million = 1.0m, output_per_million = 1.0m, effective_from = DateTimeOffset.UtcNow.AddDays(-1) }, ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        using var call = await team.PostCallAsync(runId, TeamSession.Call(provider: "cognive", model: model, input: 1_000_000, output: 500_000), ct);
        var run = await team.WaitForRunCallsAsync(runId, 1, ct);
        var pricing = await team.GetJsonAsync($"/api/v1/pricing/cognive/{model}", ct);

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Equal(6.0m, run.GetProperty("totals").GetProperty("cost").GetDecimal());
        Assert.Equal(2.0m, pricing.GetProperty("current").GetProperty("input_per_million").GetDecimal());
        Assert.Single(pricing.GetProperty("versions").EnumerateArray());
    }
}
