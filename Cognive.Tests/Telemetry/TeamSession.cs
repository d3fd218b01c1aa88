using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>A new team with its API client, and the calls the telemetry tests make through the public API.</summary>
public sealed class TeamSession(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public static async Task<TeamSession> CreateAsync(CogniveApp app, CancellationToken ct) =>
        new(app.CreateApiClient(await Tenants.CreateTeamAsync(app, ct)));

    public async Task<Guid> RegisterAgentAsync(string name, CancellationToken ct)
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/agents", new { name, framework = "langgraph" }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await ReadAsync(response, ct)).GetProperty("agent_id").GetGuid();
    }

    public async Task<Guid> StartRunAsync(Guid agentId, CancellationToken ct)
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/runs/start", new { agent_id = agentId }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await ReadAsync(response, ct)).GetProperty("run_id").GetGuid();
    }

    /// <summary>An agent with one running run.</summary>
    public async Task<Guid> StartRunOfNewAgentAsync(CancellationToken ct) =>
        await StartRunAsync(await RegisterAgentAsync($"agent-{Guid.NewGuid():N}", ct), ct);

    public static object Call(string model = "gpt-4o-mini", long input = 1000, long output = 200, long cached = 0,
        string status = "success", Guid? eventId = null, Guid? runId = null, string provider = "openai") => new
    {
        event_id = eventId, run_id = runId, provider, model, input_tokens = input, output_tokens = output,
        cached_input_tokens = cached, latency_ms = 850, status,
    };

    public Task<HttpResponseMessage> PostCallAsync(Guid runId, object call, CancellationToken ct) =>
        Client.PostAsJsonAsync($"/api/v1/runs/{runId}/llm-calls", call, ct);

    public Task<HttpResponseMessage> PostBatchAsync(IEnumerable<object> calls, CancellationToken ct) =>
        Client.PostAsJsonAsync("/api/v1/llm-calls/batch", new { events = calls }, ct);

    public async Task<Guid> TeamIdAsync(CancellationToken ct) =>
        (await GetJsonAsync("/api/v1/teams/me", ct)).GetProperty("id").GetGuid();

    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await Client.GetAsync(path, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadAsync(response, ct);
    }

    /// <summary>Waits until the run's totals count <paramref name="calls"/> stored calls.</summary>
    public async Task<JsonElement> WaitForRunCallsAsync(Guid runId, long calls, CancellationToken ct)
    {
        JsonElement run = default;
        await Eventually.HoldsAsync(async () =>
        {
            run = await GetJsonAsync($"/api/v1/runs/{runId}", ct);
            return run.GetProperty("totals").GetProperty("calls").GetInt64() >= calls;
        }, $"run {runId} counts {calls} calls", ct);
        return run;
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return document.RootElement.Clone();
    }

    public void Dispose() => Client.Dispose();
}
