using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using OpenAI;
using OpenAI.Chat;

namespace Cognive.Tests.Gateway;

/// <summary>
/// A new team with an agent, a running run and a default provider connection <c>primary</c> to the fake upstream; OpenAI
/// clients pointed at the gateway with the team's key, naming the run (or the agent).
/// </summary>
public sealed class GatewayTeam : IDisposable
{
    private GatewayTeam(CogniveApp app, string key, TeamSession session, Guid agentId, Guid runId, Guid connectionId)
    {
        App = app;
        Key = key;
        Session = session;
        AgentId = agentId;
        RunId = runId;
        ConnectionId = connectionId;
    }

    public CogniveApp App { get; }

    /// <summary>The team's Cognive API key (cgv_…), as OpenAI SDKs send it: Authorization: Bearer.</summary>
    public string Key { get; }

    public TeamSession Session { get; }

    public Guid AgentId { get; }

    public Guid RunId { get; }

    public Guid ConnectionId { get; }

    public Uri GatewayV1 => new(App.App.GetEndpoint("gateway", "http"), "/v1");

    public static async Task<GatewayTeam> CreateAsync(CogniveApp app, FakeUpstream upstream, string upstreamKey, CancellationToken ct)
    {
        var key = await Tenants.CreateTeamAsync(app, ct);
        var session = new TeamSession(app.CreateApiClient(key));
        var agentId = await session.RegisterAgentAsync($"gateway-agent-{Guid.NewGuid():N}", ct);
        var runId = await session.StartRunAsync(agentId, ct);
        using var created = await session.Client.PostAsJsonAsync("/api/v1/providers", new
        {
            name = "primary", provider = "openai", base_url = upstream.BaseUrl, api_key = upstreamKey, @default = true,
        }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var connectionId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();
        return new GatewayTeam(app, key, session, agentId, runId, connectionId);
    }

    /// <summary>The official client, without retries (a refusal must reach the test as the first answer); another key of the team when given.</summary>
    public ChatClient Chat(string model = "primary/gpt-4o-mini", bool byAgent = false, string? key = null) =>
        new(model, new ApiKeyCredential(key ?? Key), Options(byAgent));

    public OpenAIClient Client(bool byAgent = false) => new(new ApiKeyCredential(Key), Options(byAgent));

    /// <summary>A plain HTTP client on the gateway with the team's key as a bearer token, naming the run.</summary>
    public HttpClient Http()
    {
        var client = new HttpClient { BaseAddress = App.App.GetEndpoint("gateway", "http") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        client.DefaultRequestHeaders.Add("Cognive-Run-Id", RunId.ToString());
        return client;
    }

    /// <summary>The run's stored calls, once it counts <paramref name="count"/>.</summary>
    public async Task<List<JsonElement>> StoredCallsAsync(int count, CancellationToken ct)
    {
        await Session.WaitForRunCallsAsync(RunId, count, ct);
        var page = await Session.GetJsonAsync($"/api/v1/runs/{RunId}/llm-calls", ct);
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    private OpenAIClientOptions Options(bool byAgent)
    {
        var options = new OpenAIClientOptions { Endpoint = GatewayV1, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        options.AddPolicy(new HeaderPolicy(byAgent ? "Cognive-Agent-Id" : "Cognive-Run-Id", (byAgent ? AgentId : RunId).ToString()),
            PipelinePosition.PerCall);
        return options;
    }

    public void Dispose() => Session.Dispose();

    private sealed class HeaderPolicy(string name, string value) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(name, value);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}

/// <summary>One fake upstream for a test class; tests tell their requests apart by the markers they send.</summary>
public sealed class UpstreamFixture : IAsyncLifetime
{
    public FakeUpstream Upstream { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Upstream = await FakeUpstream.StartAsync();

    public ValueTask DisposeAsync() => Upstream.DisposeAsync();
}
