using System.Net.Http.Json;
using System.Text.Json;

namespace Cognive.Bench;

/// <summary>
/// Budget checks under 64 concurrent clients, and what governance adds to a reported call: the same single-call post
/// for an agent with no rules and for one under a hard budget and a policy, each measured by one client in turn.
/// </summary>
public static class GovernanceBench
{
    private const int Concurrency = 64;

    public static async Task RunAsync(BenchApp app, TimeSpan duration, CancellationToken ct)
    {
        var (key, _) = await app.CreateTeamAsync(ct);
        using var client = app.CreateClient(key);
        var free = await RunOfNewAgentAsync(client, "free", ct);
        var governed = await RunOfNewAgentAsync(client, "governed", ct);
        await PostAsync(client, "/api/v1/budgets", new { name = "bench", agent_id = governed.AgentId, amount_usd = 1_000_000_000m, period = "total" }, ct);
        await PostAsync(client, "/api/v1/policies", new
        {
            name = "bench", agent_id = governed.AgentId, allowed_providers = new[] { "openai" }, allowed_models = new[] { "gpt-4o-mini" },
            max_tokens_per_call = 100_000, max_calls_per_minute = 10_000_000,
        }, ct);
        var check = new { agent_id = governed.AgentId, estimated_cost_usd = 0.0001m };

        Report.Section($"Ceiling: the check's Lua script shape called straight on Redis, {Concurrency} callers, {duration.TotalSeconds:F0} s");
        var (ceiling, ceilingLatency) = await GovernanceCeiling.CheckScriptAsync(await app.ConnectionStringAsync("redis", ct), Concurrency, duration, ct);
        Report.Line($"throughput:  {ceiling,10:N0} scripts/s; latency {ceilingLatency.Summary()}");

        await ClosedLoop.RunAsync(Concurrency, TimeSpan.FromSeconds(3), (_, _) => client.PostAsJsonAsync("/api/v1/budgets/check", check, ct), ct);
        Report.Section($"Budget checks: {Concurrency} concurrent clients, closed loop, {duration.TotalSeconds:F0} s");
        var (checks, checkLatency, checkServer) = await ClosedLoop.RunAsync(Concurrency, duration,
            (_, _) => client.PostAsJsonAsync("/api/v1/budgets/check", check, ct), ct);
        Report.Line($"throughput:  {checks / duration.TotalSeconds,10:N0} checks/s (target ≥ 5,000; {checks / duration.TotalSeconds / ceiling:P0} of the Redis ceiling)");
        Report.Line($"server time: {checkServer.Summary()} (Server-Timing; target p99 < 2 ms)");
        Report.Line($"client side: {checkLatency.Summary()} (through DCP's proxy, queueing included)");
        var (_, lone, loneServer) = await ClosedLoop.RunAsync(1, TimeSpan.FromSeconds(5), (_, _) => client.PostAsJsonAsync("/api/v1/budgets/check", check, ct), ct);
        Report.Line($"one client:  server {loneServer.Summary()}; client {lone.Summary()}");

        using var direct = app.CreateClient(key, await app.DirectAddressAsync("Cognive.ApiService", ct));
        Report.Section($"Budget checks: {Concurrency} concurrent clients straight to the API process (no DCP proxy), {duration.TotalSeconds:F0} s");
        var (directChecks, directLatency, directServer) = await ClosedLoop.RunAsync(Concurrency, duration,
            (_, _) => direct.PostAsJsonAsync("/api/v1/budgets/check", check, ct), ct);
        Report.Line($"throughput:  {directChecks / duration.TotalSeconds,10:N0} checks/s (target ≥ 5,000; {directChecks / duration.TotalSeconds / ceiling:P0} of the Redis ceiling)");
        Report.Line($"server time: {directServer.Summary()}");
        Report.Line($"client side: {directLatency.Summary()}");

        Report.Section("What governance adds to a reported call: one client, sequential posts, 10 s each");
        var call = new { provider = "openai", model = "gpt-4o-mini", input_tokens = 100, output_tokens = 10, latency_ms = 100, status = "success" };
        using var anonymous = app.CreateClient(null);
        var (_, _, openServer) = await ClosedLoop.RunAsync(1, TimeSpan.FromSeconds(10), (_, _) => anonymous.GetAsync("/health/liveness", ct), ct);
        var (_, _, keyedServer) = await ClosedLoop.RunAsync(1, TimeSpan.FromSeconds(10), (_, _) => client.GetAsync("/health/liveness", ct), ct);
        var (_, _, freeServer) = await ClosedLoop.RunAsync(1, TimeSpan.FromSeconds(10),
            (_, _) => client.PostAsJsonAsync($"/api/v1/runs/{free.RunId}/llm-calls", call, ct), ct);
        var (_, _, governedServer) = await ClosedLoop.RunAsync(1, TimeSpan.FromSeconds(10),
            (_, _) => client.PostAsJsonAsync($"/api/v1/runs/{governed.RunId}/llm-calls", call, ct), ct);
        Report.Line($"GET /health/liveness, no key:                   server {openServer.Summary()}");
        Report.Line($"the same with a key (auth + rate limit):        server {keyedServer.Summary()}");
        Report.Line($"call of an agent without rules:                 server {freeServer.Summary()}");
        Report.Line($"call under a hard budget and a policy:          server {governedServer.Summary()}");
        var added = keyedServer.Percentile(50) - openServer.Percentile(50) + governedServer.Percentile(50) - freeServer.Percentile(50);
        Report.Line($"auth + rate limit + budget + policy add (p50): {added:F3} ms (target < 0.5 ms)");
    }

    private static async Task<(Guid AgentId, Guid RunId)> RunOfNewAgentAsync(HttpClient client, string name, CancellationToken ct)
    {
        var agentId = (await PostAsync(client, "/api/v1/agents", new { name, framework = "bench" }, ct)).GetProperty("agent_id").GetGuid();
        var runId = (await PostAsync(client, "/api/v1/runs/start", new { agent_id = agentId }, ct)).GetProperty("run_id").GetGuid();
        return (agentId, runId);
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }
}
