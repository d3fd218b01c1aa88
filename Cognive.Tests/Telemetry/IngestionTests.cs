using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>The whole path of a call: API → RabbitMQ → workers → PostgreSQL, priced from the table, summed and analysed.</summary>
public sealed class IngestionTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Calls_are_stored_priced_totalled_and_analysed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("analyst", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        var price = (await team.GetJsonAsync("/api/v1/pricing/openai/gpt-4o-mini", ct)).GetProperty("current");
        var (input, output, cached) = (price.GetProperty("input_per_million").GetDecimal(),
            price.GetProperty("output_per_million").GetDecimal(), price.GetProperty("cached_input_per_million").GetDecimal());

        using var priced = await team.PostCallAsync(runId, TeamSession.Call(input: 1000, output: 200, cached: 400), ct);
        using var failed = await team.PostCallAsync(runId, TeamSession.Call(input: 500, output: 0, status: "error"), ct);
        using var unpriced = await team.PostCallAsync(runId, TeamSession.Call(provider: "acme", model: "mystery-1", input: 100, output: 100), ct);
        using var batch = await team.PostBatchAsync(
            Enumerable.Range(0, 50).Select(_ => TeamSession.Call(input: 2000, output: 300, runId: runId)), ct);
        var stored = await team.WaitForRunCallsAsync(runId, 53, ct);
        using var ended = await team.Client.PostAsJsonAsync($"/api/v1/runs/{runId}/end", new { status = "succeeded" }, ct);
        var run = await TeamSession.ReadAsync(ended, ct);
        var calls = await team.GetJsonAsync($"/api/v1/runs/{runId}/llm-calls?limit=1000", ct);
        var trends = await team.GetJsonAsync("/api/v1/analytics/cost-trends?period=24h&group_by=model", ct);
        var summary = await team.GetJsonAsync("/api/v1/analytics/summary?period=24h", ct);

        var expectedCost = (600 * input + 400 * cached + 200 * output + 500 * input + 50 * (2000 * input + 300 * output)) / 1_000_000m;
        Assert.Equal(HttpStatusCode.Accepted, priced.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, failed.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unpriced.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        Assert.Equal(50, (await TeamSession.ReadAsync(batch, ct)).GetProperty("accepted").GetInt32());
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var totals = run.GetProperty("totals");
        Assert.Equal(53, totals.GetProperty("calls").GetInt64());
        Assert.Equal(1000 + 500 + 100 + 50 * 2000, totals.GetProperty("input_tokens").GetInt64());
        Assert.Equal(200 + 0 + 100 + 50 * 300, totals.GetProperty("output_tokens").GetInt64());
        Assert.Equal(400, totals.GetProperty("cached_input_tokens").GetInt64());
        Assert.Equal(1, totals.GetProperty("errors").GetInt64());
        Assert.Equal(1, totals.GetProperty("unpriced_calls").GetInt64());
        Assert.Equal(expectedCost, totals.GetProperty("cost").GetDecimal());
        Assert.Equal(53, stored.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(53, calls.GetProperty("items").GetArrayLength());
        Assert.Single(calls.GetProperty("items").EnumerateArray(), c => !c.GetProperty("priced").GetBoolean());

        var series = trends.GetProperty("series").EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!);
        Assert.Equal(expectedCost, series["openai/gpt-4o-mini"].GetProperty("total_cost").GetDecimal());
        Assert.Equal(1, series["acme/mystery-1"].GetProperty("points")[0].GetProperty("unpriced_calls").GetInt64());
        Assert.Equal(expectedCost, trends.GetProperty("total_cost").GetDecimal());
        Assert.InRange(trends.GetProperty("max_staleness_seconds").GetInt32(), 1, 60);
        Assert.Equal(53, summary.GetProperty("calls").GetInt64());
        Assert.Equal(1, summary.GetProperty("errors").GetInt64());
        Assert.Equal(1, summary.GetProperty("unpriced_calls").GetInt64());
        Assert.Equal(expectedCost, summary.GetProperty("cost").GetDecimal());
        Assert.Equal(agentId, summary.GetProperty("top_agents")[0].GetProperty("agent_id").GetGuid());
        Assert.Equal(850, summary.GetProperty("models")[0].GetProperty("latency_p95_ms").GetDouble());

        await using var store = await PipelineStore.OpenAsync(_app, ct);
        Assert.Equal(expectedCost, await store.DailySpendAsync(await team.TeamIdAsync(ct), ct));
    }

    [Fact]
    public async Task An_event_id_sent_again_or_concurrently_is_stored_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        var eventId = Guid.NewGuid();

        using var first = await team.PostCallAsync(runId, TeamSession.Call(eventId: eventId), ct);
        using var again = await team.PostCallAsync(runId, TeamSession.Call(eventId: eventId), ct);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => team.PostCallAsync(runId, TeamSession.Call(eventId: eventId), ct)));
        using var inBatch = await team.PostBatchAsync([TeamSession.Call(eventId: eventId, runId: runId), TeamSession.Call(eventId: eventId, runId: runId)], ct);
        using var sentinel = await team.PostCallAsync(runId, TeamSession.Call(model: "gpt-4o"), ct);
        await Eventually.HoldsAsync(async () =>
            (await team.GetJsonAsync($"/api/v1/runs/{runId}/llm-calls", ct)).GetProperty("items").EnumerateArray()
                .Any(c => c.GetProperty("model").GetString() == "gpt-4o"), "the sentinel call is stored", ct);
        var calls = (await team.GetJsonAsync($"/api/v1/runs/{runId}/llm-calls", ct)).GetProperty("items");
        var run = await team.GetJsonAsync($"/api/v1/runs/{runId}", ct);

        Assert.All(concurrent.Append(first).Append(again).Append(inBatch), r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(eventId, (await TeamSession.ReadAsync(first, ct)).GetProperty("event_id").GetGuid());
        Assert.Equal(2, calls.GetArrayLength());
        Assert.Single(calls.EnumerateArray(), c => c.GetProperty("event_id").GetGuid() == eventId);
        Assert.Equal(2, run.GetProperty("totals").GetProperty("calls").GetInt64());
        foreach (var response in concurrent)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Single_calls_posted_at_once_by_two_teams_are_each_stored_once_in_their_own_run()
    {
        // Posted together, they travel grouped in shared messages (PublishCoalescer); grouping must not mix or drop them.
        var ct = TestContext.Current.CancellationToken;
        using var first = await TeamSession.CreateAsync(_app, ct);
        using var second = await TeamSession.CreateAsync(_app, ct);
        var firstRun = await first.StartRunOfNewAgentAsync(ct);
        var secondRun = await second.StartRunOfNewAgentAsync(ct);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => i % 2 == 0
            ? first.PostCallAsync(firstRun, TeamSession.Call(input: 10, output: 1), ct)
            : second.PostCallAsync(secondRun, TeamSession.Call(input: 20, output: 2), ct)));
        var firstStored = await first.WaitForRunCallsAsync(firstRun, 100, ct);
        var secondStored = await second.WaitForRunCallsAsync(secondRun, 100, ct);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        var eventIds = await Task.WhenAll(answers.Select(async a => (await TeamSession.ReadAsync(a, ct)).GetProperty("event_id").GetGuid()));
        Assert.Equal(200, eventIds.Distinct().Count());
        Assert.Equal(100, firstStored.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(100 * 10, firstStored.GetProperty("totals").GetProperty("input_tokens").GetInt64());
        Assert.Equal(100, secondStored.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(100 * 20, secondStored.GetProperty("totals").GetProperty("input_tokens").GetInt64());
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }
}
