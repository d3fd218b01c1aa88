using System.Net;
using System.Net.Http.Json;
using System.Text;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>Every malformed or misdirected report gets 4xx problem details, and none of it is stored.</summary>
public sealed class BadInputTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Bad_reports_are_refused_with_problem_details_and_store_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        var endedRunId = await team.StartRunOfNewAgentAsync(ct);
        using var end = await team.Client.PostAsJsonAsync($"/api/v1/runs/{endedRunId}/end", new { status = "failed", error = "boom" }, ct);
        var othersRunId = await other.StartRunOfNewAgentAsync(ct);
        var calls = $"/api/v1/runs/{runId}/llm-calls";
        var future = DateTimeOffset.UtcNow.AddDays(1);

        (string Case, HttpStatusCode Expected, Task<HttpResponseMessage> Response)[] cases =
        [
            ("malformed JSON", HttpStatusCode.BadRequest, PostRawAsync(team, calls, "{\"provider\": \"openai\", ")),
            ("tokens of the wrong type", HttpStatusCode.BadRequest, PostRawAsync(team, calls, "{\"input_tokens\": \"many\"}")),
            ("missing tokens", HttpStatusCode.BadRequest, team.Client.PostAsJsonAsync(calls,
                new { provider = "openai", model = "gpt-4o", latency_ms = 10, status = "success" }, ct)),
            ("negative tokens", HttpStatusCode.BadRequest, team.PostCallAsync(runId, TeamSession.Call(output: -5), ct)),
            ("cached above input", HttpStatusCode.BadRequest, team.PostCallAsync(runId, TeamSession.Call(input: 10, cached: 11), ct)),
            ("unknown status", HttpStatusCode.BadRequest, team.PostCallAsync(runId, TeamSession.Call(status: "meh"), ct)),
            ("absurdly long model", HttpStatusCode.BadRequest, team.PostCallAsync(runId, TeamSession.Call(model: new string('m', 10_000)), ct)),
            ("occurred far in the future", HttpStatusCode.BadRequest, team.Client.PostAsJsonAsync(calls, new
            {
                provider = "openai", model = "gpt-4o", input_tokens = 1, output_tokens = 1, latency_ms = 1, status = "success", occurred_at = future,
            }, ct)),
            ("unknown run", HttpStatusCode.NotFound, team.PostCallAsync(Guid.CreateVersion7(), TeamSession.Call(), ct)),
            ("another team's run", HttpStatusCode.NotFound, team.PostCallAsync(othersRunId, TeamSession.Call(), ct)),
            ("ended run", HttpStatusCode.Conflict, team.PostCallAsync(endedRunId, TeamSession.Call(), ct)),
            ("empty batch", HttpStatusCode.BadRequest, team.PostBatchAsync([], ct)),
            ("batch over 1,000", HttpStatusCode.BadRequest, team.PostBatchAsync(Enumerable.Range(0, 1001).Select(_ => TeamSession.Call(runId: runId)), ct)),
            ("batch of invalid calls only", HttpStatusCode.BadRequest, team.PostBatchAsync(
                [TeamSession.Call(input: -1, runId: runId), TeamSession.Call(runId: othersRunId), TeamSession.Call()], ct)),
            ("body over the size limit", HttpStatusCode.RequestEntityTooLarge, PostOversizedAsync(team, calls)),
        ];

        foreach (var (name, expected, pending) in cases)
        {
            using var response = await pending;
            Assert.True(expected == response.StatusCode, $"{name}: expected {expected}, got {response.StatusCode}");
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
                $"{name}: answered {response.Content.Headers.ContentType}");
            Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync(ct));
        }

        using var sentinel = await team.PostCallAsync(runId, TeamSession.Call(model: "gpt-4o"), ct);
        var run = await team.WaitForRunCallsAsync(runId, 1, ct);
        var ended = await team.GetJsonAsync($"/api/v1/runs/{endedRunId}", ct);
        var othersRun = await other.GetJsonAsync($"/api/v1/runs/{othersRunId}", ct);

        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, sentinel.StatusCode);
        Assert.Equal(1, run.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(0, ended.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal("boom", ended.GetProperty("error").GetString());
        Assert.Equal(0, othersRun.GetProperty("totals").GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task A_batch_stores_its_valid_items_and_reports_each_rejected_one()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);

        using var response = await team.PostBatchAsync(
            [TeamSession.Call(runId: runId), TeamSession.Call(input: -1, runId: runId), TeamSession.Call(), TeamSession.Call(runId: runId)], ct);
        var result = await TeamSession.ReadAsync(response, ct);
        var run = await team.WaitForRunCallsAsync(runId, 2, ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(2, result.GetProperty("rejected").GetInt32());
        var items = result.GetProperty("results");
        Assert.Equal(["accepted", "rejected", "rejected", "accepted"], items.EnumerateArray().Select(i => i.GetProperty("status").GetString()));
        Assert.True(items[1].GetProperty("errors").TryGetProperty("input_tokens", out _));
        Assert.True(items[2].GetProperty("errors").TryGetProperty("run_id", out _));
        Assert.Equal(2, run.GetProperty("totals").GetProperty("calls").GetInt64());
    }

    private static Task<HttpResponseMessage> PostRawAsync(TeamSession team, string path, string json) =>
        team.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>
    /// 5 MiB, announced with <c>Expect: 100-continue</c> as a careful client would: the server refuses it from its
    /// Content-Length before the body is sent. Without it, the server's 413 can race the client still sending, and the
    /// client may see the connection reset instead of the answer.
    /// </summary>
    private static Task<HttpResponseMessage> PostOversizedAsync(TeamSession team, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent($"{{\"provider\": \"{new string('p', 5 * 1024 * 1024)}\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        return team.Client.SendAsync(request);
    }
}
