using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Governance;

/// <summary>A policy is edited by replacing it (PUT): the new rules hold at the next check, its violations stay, the change is audited.</summary>
public sealed class PolicyEditTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_replaced_policy_is_enforced_at_the_next_check_and_keeps_its_violations()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("edited", ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/policies",
            new { name = "mini only", agent_id = agentId, allowed_models = new[] { "gpt-4o-mini" } }, ct);
        var policyId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();
        using var refusedBefore = await CheckAsync(team, agentId, "gpt-4o", ct);

        using var replaced = await team.Client.PutAsJsonAsync($"/api/v1/policies/{policyId}",
            new { name = "4o only", agent_id = agentId, allowed_models = new[] { "GPT-4o" }, max_tokens_per_call = 9000 }, ct);
        var answer = await TeamSession.ReadAsync(replaced, ct);
        using var allowedAfter = await CheckAsync(team, agentId, "gpt-4o", ct);
        using var refusedAfter = await CheckAsync(team, agentId, "gpt-4o-mini", ct);
        var policy = await team.GetJsonAsync($"/api/v1/policies/{policyId}", ct);
        var update = (await team.GetJsonAsync($"/api/v1/audit?action=policy.update&target_id={policyId}", ct)).GetProperty("items")[0];

        Assert.Equal(HttpStatusCode.Forbidden, refusedBefore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("4o only", answer.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, allowedAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refusedAfter.StatusCode);
        Assert.Equal(["gpt-4o"], policy.GetProperty("allowed_models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(9000, policy.GetProperty("max_tokens_per_call").GetInt32());
        Assert.Equal(2, policy.GetProperty("violations").GetInt64());
        Assert.Equal("mini only", update.GetProperty("summary").GetProperty("before").GetProperty("name").GetString());
        Assert.Equal("4o only", update.GetProperty("summary").GetProperty("after").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_bad_replacement_names_its_field_and_another_teams_policy_is_not_found()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/policies", new { name = "few", max_calls_per_minute = 10 }, ct);
        var policyId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();

        using var bad = await team.Client.PutAsJsonAsync($"/api/v1/policies/{policyId}", new { name = "few", max_calls_per_minute = 0 }, ct);
        var problem = await TeamSession.ReadAsync(bad, ct);
        using var foreign = await other.Client.PutAsJsonAsync($"/api/v1/policies/{policyId}", new { name = "mine", max_calls_per_minute = 1 }, ct);
        var policy = await team.GetJsonAsync($"/api/v1/policies/{policyId}", ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("max_calls_per_minute", out _), problem.ToString());
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("few", policy.GetProperty("name").GetString());
        Assert.Equal(10, policy.GetProperty("max_calls_per_minute").GetInt32());
    }

    private static Task<HttpResponseMessage> CheckAsync(TeamSession team, Guid agentId, string model, CancellationToken ct) =>
        team.Client.PostAsJsonAsync("/api/v1/budgets/check", new { agent_id = agentId, model, input_tokens = 100, max_output_tokens = 100 }, ct);
}
