using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Governance;

/// <summary>Policies refuse checks (403 naming the policy), flag reported calls, and count their violations.</summary>
public sealed class PolicyTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_model_outside_the_policy_is_refused_at_the_check_flagged_at_ingestion_and_counted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("governed", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/policies",
            new { name = "cheap models only", agent_id = agentId, allowed_models = new[] { "GPT-4o-mini" } }, ct);
        var policyId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();

        using var allowed = await team.Client.PostAsJsonAsync("/api/v1/budgets/check",
            new { agent_id = agentId, model = "gpt-4o-mini", input_tokens = 100, max_output_tokens = 100 }, ct);
        using var refused = await team.Client.PostAsJsonAsync("/api/v1/budgets/check",
            new { agent_id = agentId, model = "gpt-4o", input_tokens = 100, max_output_tokens = 100 }, ct);
        var refusal = await TeamSession.ReadAsync(refused, ct);
        var flaggedId = Guid.NewGuid();
        using var reported = await team.PostCallAsync(runId, TeamSession.Call(model: "gpt-4o", eventId: flaggedId), ct);
        var report = await TeamSession.ReadAsync(reported, ct);
        var calls = await team.WaitForRunCallsAsync(runId, 1, ct);
        var policy = await team.GetJsonAsync($"/api/v1/policies/{policyId}", ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(policyId, refusal.GetProperty("policy_id").GetGuid());
        Assert.Equal("cheap models only", refusal.GetProperty("policy").GetString());
        Assert.Equal("allowed_models", refusal.GetProperty("rule").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, reported.StatusCode);
        Assert.True(report.GetProperty("recorded").GetBoolean());
        Assert.Equal(flaggedId, report.GetProperty("event_id").GetGuid());
        Assert.Equal(1, calls.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(2, policy.GetProperty("violations").GetInt64());
    }

    [Fact]
    public async Task Calls_past_the_policys_rate_and_size_are_flagged_per_item_in_a_batch()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/policies",
            new { name = "small and few", max_tokens_per_call = 5000, max_calls_per_minute = 3 }, ct);
        var policyId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();

        using var batch = await team.PostBatchAsync(
        [
            TeamSession.Call(runId: runId), TeamSession.Call(runId: runId, input: 9000), TeamSession.Call(runId: runId),
            TeamSession.Call(runId: runId), TeamSession.Call(runId: runId),
        ], ct);
        var body = await TeamSession.ReadAsync(batch, ct);
        var flags = body.GetProperty("results").EnumerateArray()
            .Select(r => r.TryGetProperty("flag", out var f) ? f.GetString() : null).ToList();

        Assert.Equal(HttpStatusCode.Forbidden, batch.StatusCode);
        Assert.Equal(5, body.GetProperty("accepted").GetInt32());
        // Item 2 is too large (and, refused for that, not counted toward the rate); item 5 is the 4th counted call of the minute.
        Assert.Equal([null, $"policy:{policyId}", null, null, $"policy:{policyId}"], flags);
        await team.WaitForRunCallsAsync(runId, 5, ct);
    }

    [Theory]
    [InlineData("""{"name":"empty"}""", "policy")]
    [InlineData("""{"name":"x","max_tokens_per_call":0}""", "max_tokens_per_call")]
    [InlineData("""{"name":"x","active_from_hour":25,"active_to_hour":3}""", "active_hours")]
    [InlineData("""{"name":"x","active_from_hour":8}""", "active_hours")]
    [InlineData("""{"name":"x","allowed_models":[]}""", "allowed_models")]
    public async Task A_bad_policy_is_refused_with_the_field_named(string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);

        using var response = await team.Client.PostAsync("/api/v1/policies", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await TeamSession.ReadAsync(response, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
        Assert.Equal(0, (await team.GetJsonAsync("/api/v1/policies", ct)).GetArrayLength());
    }
}
