using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cognive.Bench;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Cognive.Tests.Gateway;

/// <summary>
/// OTLP/HTTP ingestion on the gateway, end to end: exporters send spans to <c>POST /v1/traces</c>, the calls go through
/// the durable pipeline, and the API shows them in their runs, priced.
/// </summary>
public sealed class OtlpIngestionTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task OpenTelemetry_sdk_exports_chat_spans_that_become_priced_calls_of_one_run_per_trace()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Tenants.CreateTeamAsync(_app, ct);
        using var team = new TeamSession(_app.CreateApiClient(key));
        var sourceName = $"cognive.tests.otlp.{Guid.NewGuid():N}";
        using var agentSource = new ActivitySource(sourceName);
        using var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("research-agent"))
            .AddSource(sourceName)
            .AddOtlpExporter(exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(GatewayAddress, "/v1/traces");
                exporter.Headers = $"X-API-Key={key}";
            })
            .Build();
        using var chat = new StandInChatClient().AsBuilder().UseOpenTelemetry(sourceName: sourceName).Build();

        string traceId;
        using (var run = agentSource.StartActivity("invoke_agent research-agent"))
        {
            traceId = run!.TraceId.ToHexString();
            await chat.GetResponseAsync("What is Cognive?", cancellationToken: ct);
            await chat.GetResponseAsync("And what does it cost?", cancellationToken: ct);
        }

        Assert.True(tracing.ForceFlush(30_000));

        var agent = await AgentNamedAsync(team, "research-agent", ct);
        Assert.Equal("otel", agent.GetProperty("framework").GetString());
        // Registered from service.name like any registration: audited by the exporting key, in a chain that still verifies.
        var created = (await team.GetJsonAsync("/api/v1/audit", ct)).GetProperty("items").EnumerateArray()
            .Single(r => r.GetProperty("target_id").GetString() == agent.GetProperty("agent_id").GetGuid().ToString());
        Assert.Equal(("agent.create", "agent"), (created.GetProperty("action").GetString(), created.GetProperty("target_type").GetString()));
        Assert.StartsWith("key:", created.GetProperty("actor").GetString());
        Assert.True((await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct)).GetProperty("intact").GetBoolean());
        var runId = await RunOfTraceAsync(team, agent.GetProperty("agent_id").GetGuid(), traceId, ct);
        var stored = await team.WaitForRunCallsAsync(runId, 2, ct);
        var price = (await team.GetJsonAsync("/api/v1/pricing/openai/gpt-4o-mini", ct)).GetProperty("current");
        var expectedCost = 2 * (600 * price.GetProperty("input_per_million").GetDecimal()
                                + 400 * price.GetProperty("cached_input_per_million").GetDecimal()
                                + 200 * price.GetProperty("output_per_million").GetDecimal()) / 1_000_000m;
        var totals = stored.GetProperty("totals");
        Assert.Equal((2000L, 400L, 800L), (totals.GetProperty("input_tokens").GetInt64(),
            totals.GetProperty("output_tokens").GetInt64(), totals.GetProperty("cached_input_tokens").GetInt64()));
        Assert.Equal(expectedCost, totals.GetProperty("cost").GetDecimal());
        Assert.Equal("succeeded", stored.GetProperty("status").GetString());
        var calls = (await team.GetJsonAsync($"/api/v1/runs/{runId}/llm-calls", ct)).GetProperty("items");
        Assert.All(calls.EnumerateArray(), call =>
        {
            Assert.Equal(("openai", "gpt-4o-mini", "success"), (call.GetProperty("provider").GetString(),
                call.GetProperty("model").GetString(), call.GetProperty("status").GetString()));
            Assert.Equal(traceId, call.GetProperty("metadata").GetProperty("otel_trace_id").GetString());
        });
    }

    [Fact]
    public async Task The_same_spans_exported_twice_at_once_are_stored_once_in_one_run_of_one_agent()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, gateway) = await TeamWithGatewayAsync(ct);
        using var disposeTeam = team;
        using var disposeGateway = gateway;
        var trace = Spans.NewTrace();
        var body = OtlpRequestWriter.Protobuf([Spans.Resource("twice-agent", [.. Enumerable.Range(0, 5).Select(_ => Spans.Chat(trace))])]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => PostAsync(gateway, body, "application/x-protobuf", ct)));
        using var marker = await PostAsync(gateway,
            OtlpRequestWriter.Protobuf([Spans.Resource("twice-agent", [Spans.Chat(trace)])]), "application/x-protobuf", ct);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.All(answers, a => Assert.Equal("application/x-protobuf", a.Content.Headers.ContentType?.MediaType));
        var agents = (await team.GetJsonAsync("/api/v1/agents", ct)).GetProperty("items");
        var agent = Assert.Single(agents.EnumerateArray(), a => a.GetProperty("name").GetString() == "twice-agent");
        var runs = (await team.GetJsonAsync($"/api/v1/agents/{agent.GetProperty("agent_id").GetGuid()}/runs", ct)).GetProperty("items");
        var runId = Assert.Single(runs.EnumerateArray()).GetProperty("run_id").GetGuid();
        await team.WaitForRunCallsAsync(runId, 6, ct);
        var calls = (await team.GetJsonAsync($"/api/v1/runs/{runId}/llm-calls?limit=100", ct)).GetProperty("items");
        Assert.Equal(6, calls.GetArrayLength());
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Json_and_gzip_bodies_are_accepted_and_answered_in_json()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Tenants.CreateTeamAsync(_app, ct);
        using var team = new TeamSession(_app.CreateApiClient(key));
        using var gateway = new HttpClient { BaseAddress = GatewayAddress };
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var trace = Spans.NewTrace();
        var json = OtlpRequestWriter.Json([Spans.Resource("json-agent", [Spans.Chat(trace), Spans.Chat(trace)])]);
        var gzipped = Gzip(OtlpRequestWriter.Json([Spans.Resource("json-agent", [Spans.Chat(trace)])]));

        using var plain = await PostAsync(gateway, json, "application/json", ct);
        using var compressed = await PostAsync(gateway, gzipped, "application/json", ct, gzip: true);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("{}", await plain.Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
        var runId = await RunOfTraceAsync(team, "json-agent", Convert.ToHexStringLower(trace), ct);
        await team.WaitForRunCallsAsync(runId, 3, ct);
    }

    [Fact]
    public async Task Spans_without_a_model_are_rejected_by_count_and_reason_while_the_rest_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, gateway) = await TeamWithGatewayAsync(ct);
        using var disposeTeam = team;
        using var disposeGateway = gateway;
        var trace = Spans.NewTrace();
        var noModel = Spans.Chat(trace) with
        {
            Attributes = [new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", "openai")],
        };
        var http = Spans.Chat(trace) with { Attributes = [new("http.request.method", "POST")] };
        var body = OtlpRequestWriter.Json([Spans.Resource("partial-agent", [Spans.Chat(trace), noModel, http, Spans.Chat(trace)])]);

        using var answer = await PostAsync(gateway, body, "application/json", ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var partial = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("partialSuccess");
        Assert.Equal("1", partial.GetProperty("rejectedSpans").GetString());
        var message = partial.GetProperty("errorMessage").GetString()!;
        Assert.Contains(Convert.ToHexStringLower(noModel.SpanId), message);
        Assert.Contains("gen_ai.response.model", message);
        Assert.Contains("1 span is not a GenAI call", message);
        var runId = await RunOfTraceAsync(team, "partial-agent", Convert.ToHexStringLower(trace), ct);
        var run = await team.WaitForRunCallsAsync(runId, 2, ct);
        Assert.Equal(2, run.GetProperty("totals").GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task Malformed_huge_and_unsupported_bodies_get_clear_errors_and_lose_nothing_sent_beside_them()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, gateway) = await TeamWithGatewayAsync(ct);
        using var disposeTeam = team;
        using var disposeGateway = gateway;
        var trace = Spans.NewTrace();
        var good = OtlpRequestWriter.Protobuf([Spans.Resource("steady-agent", [Spans.Chat(trace)])]);
        var truncated = good[..^7];
        var huge = new byte[9 * 1024 * 1024];
        Random.Shared.NextBytes(huge);

        var answers = await Task.WhenAll(
            PostAsync(gateway, truncated, "application/x-protobuf", ct),
            PostAsync(gateway, good, "application/x-protobuf", ct),
            PostAsync(gateway, Gzip(new byte[20 * 1024 * 1024]), "application/x-protobuf", ct, gzip: true),
            PostAsync(gateway, "{\"resourceSpans\": 5}"u8.ToArray(), "application/json", ct),
            PostAsync(gateway, good, "text/plain", ct));
        using var anonymous = new HttpClient { BaseAddress = GatewayAddress };
        using var unauthenticated = await PostAsync(anonymous, good, "application/x-protobuf", ct);
        using var tooLarge = await PostAsync(gateway, huge, "application/x-protobuf", ct);

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.RequestEntityTooLarge,
            HttpStatusCode.BadRequest, HttpStatusCode.UnsupportedMediaType], answers.Select(a => a.StatusCode));
        Assert.Contains("not an ExportTraceServiceRequest", Encoding.UTF8.GetString(await answers[0].Content.ReadAsByteArrayAsync(ct)));
        Assert.Contains("\"message\"", await answers[3].Content.ReadAsStringAsync(ct));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        var runId = await RunOfTraceAsync(team, "steady-agent", Convert.ToHexStringLower(trace), ct);
        await team.WaitForRunCallsAsync(runId, 1, ct);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    private Uri GatewayAddress => _app.App.GetEndpoint("gateway", "http");

    private async Task<(TeamSession Team, HttpClient Gateway)> TeamWithGatewayAsync(CancellationToken ct)
    {
        var key = await Tenants.CreateTeamAsync(_app, ct);
        return (new TeamSession(_app.CreateApiClient(key)), GatewayClient(key));
    }

    private HttpClient GatewayClient(string key)
    {
        var client = new HttpClient { BaseAddress = GatewayAddress };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, byte[] body, string contentType,
        CancellationToken ct, bool gzip = false)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return await client.PostAsync("/v1/traces", content, ct);
    }

    private static byte[] Gzip(byte[] body)
    {
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }

        return compressed.ToArray();
    }

    /// <summary>The team's agent of that name, once the gateway registered it.</summary>
    private static async Task<JsonElement> AgentNamedAsync(TeamSession team, string name, CancellationToken ct)
    {
        JsonElement agent = default;
        await Eventually.HoldsAsync(async () =>
        {
            var agents = (await team.GetJsonAsync("/api/v1/agents", ct)).GetProperty("items").EnumerateArray();
            agent = agents.FirstOrDefault(a => a.GetProperty("name").GetString() == name);
            return agent.ValueKind == JsonValueKind.Object;
        }, $"agent {name} is registered", ct);
        return agent;
    }

    /// <summary>The run that the trace made for the agent of that name.</summary>
    private static async Task<Guid> RunOfTraceAsync(TeamSession team, string agentName, string traceId, CancellationToken ct) =>
        await RunOfTraceAsync(team, (await AgentNamedAsync(team, agentName, ct)).GetProperty("agent_id").GetGuid(), traceId, ct);

    /// <summary>The agent's run that the trace made (its metadata names the trace).</summary>
    private static async Task<Guid> RunOfTraceAsync(TeamSession team, Guid agentId, string traceId, CancellationToken ct)
    {
        Guid runId = default;
        await Eventually.HoldsAsync(async () =>
        {
            var runs = (await team.GetJsonAsync($"/api/v1/agents/{agentId}/runs", ct)).GetProperty("items").EnumerateArray();
            runId = runs.Where(r => r.GetProperty("metadata").GetProperty("otel_trace_id").GetString() == traceId)
                .Select(r => r.GetProperty("run_id").GetGuid()).SingleOrDefault();
            return runId != Guid.Empty;
        }, $"the run of trace {traceId} exists", ct);
        return runId;
    }

    /// <summary>A chat model that answers at once with fixed usage, as a provider's client would report it.</summary>
    private sealed class StandInChatClient : IChatClient
    {
        private static readonly ChatClientMetadata Metadata = new("openai", new Uri("https://api.openai.com/v1"), "gpt-4o-mini");

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "An answer."))
            {
                ModelId = "gpt-4o-mini",
                Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 200, CachedInputTokenCount = 400 },
            });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
            ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The stand-in model does not stream.");

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? Metadata : null;

        public void Dispose()
        {
        }
    }
}

/// <summary>Spans as a GenAI instrumentation would make them, for bodies built by hand.</summary>
internal static class Spans
{
    public static byte[] NewTrace() => Guid.NewGuid().ToByteArray();

    public static OtlpResourceSpec Resource(string serviceName, OtlpSpanSpec[] spans) => new([new("service.name", serviceName)], spans);

    public static OtlpSpanSpec Chat(byte[] traceId) => new(traceId, Guid.NewGuid().ToByteArray()[..8],
        Guid.NewGuid().ToByteArray()[..8], DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromMilliseconds(300), Error: false,
        [
            new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", "openai"),
            new("gen_ai.request.model", "gpt-4o-mini"), new("gen_ai.usage.input_tokens", 100L),
            new("gen_ai.usage.output_tokens", 10L),
        ]);
}
