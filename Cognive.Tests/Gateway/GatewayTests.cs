using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Globalization;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using OpenAI.Chat;

namespace Cognive.Tests.Gateway;

/// <summary>
/// The OpenAI-compatible gateway, driven by the official OpenAI .NET client against a fake upstream on a real port:
/// calls are forwarded, counted and priced; budgets and policies refuse before the upstream is called; upstream
/// failures and timeouts reach the client as OpenAI errors; a client that leaves cancels the upstream.
/// </summary>
public sealed class GatewayTests(SharedApp shared, UpstreamFixture fixture) : IClassFixture<UpstreamFixture>
{
    private const string UpstreamKey = "sk-upstream-gateway-tests-4b1e";
    private readonly CogniveApp _app = shared.App;
    private readonly FakeUpstream _upstream = fixture.Upstream;

    [Fact]
    public async Task A_chat_completion_is_answered_by_the_named_connection_and_recorded_with_its_tokens_cached_tokens_and_cost()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        var marker = $"hello-{Guid.NewGuid():N}";

        var result = await team.Chat().CompleteChatAsync([new UserChatMessage(marker)], cancellationToken: ct);

        Assert.Equal("Hello from the fake", result.Value.Content.Single().Text);
        Assert.Equal((1200, 300, 200), (result.Value.Usage.InputTokenCount, result.Value.Usage.OutputTokenCount,
            result.Value.Usage.InputTokenDetails.CachedTokenCount));
        Assert.True(result.GetRawResponse().Headers.TryGetValue("Cognive-Event-Id", out var eventId));
        Assert.True(result.GetRawResponse().Headers.TryGetValue("Cognive-Cost-Usd", out var cost));
        Assert.Equal(await ExpectedCostAsync(team, ct), decimal.Parse(cost!, System.Globalization.CultureInfo.InvariantCulture));
        var seen = Assert.Single(_upstream.Requests, r => r.Marker == marker);
        Assert.Equal($"Bearer {UpstreamKey}", seen.Authorization);
        Assert.Equal("gpt-4o-mini", JsonDocument.Parse(seen.Body).RootElement.GetProperty("model").GetString());

        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal(Guid.Parse(eventId!), call.GetProperty("event_id").GetGuid());
        Assert.Equal(("openai", "gpt-4o-mini", "success"), (call.GetProperty("provider").GetString(), call.GetProperty("model").GetString(),
            call.GetProperty("status").GetString()));
        Assert.Equal((1200L, 300L, 200L), (call.GetProperty("input_tokens").GetInt64(), call.GetProperty("output_tokens").GetInt64(),
            call.GetProperty("cached_input_tokens").GetInt64()));
        Assert.Equal(await ExpectedCostAsync(team, ct), call.GetProperty("cost").GetDecimal());
        Assert.Equal("gateway", call.GetProperty("metadata").GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_streamed_chat_completion_arrives_chunk_by_chunk_and_is_recorded_with_its_tokens_and_time_to_first_token()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in team.Chat().CompleteChatStreamingAsync([new UserChatMessage($"stream-{Guid.NewGuid():N}")],
                           cancellationToken: ct))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(part => part.Text)));
            usage = update.Usage ?? usage;
        }

        Assert.Equal(string.Concat(FakeUpstream.StreamedWords), text.ToString());
        Assert.Equal(1200, usage?.InputTokenCount); // the client asked for usage itself, so it sees it
        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal((1200L, 300L, 200L), (call.GetProperty("input_tokens").GetInt64(), call.GetProperty("output_tokens").GetInt64(),
            call.GetProperty("cached_input_tokens").GetInt64()));
        Assert.Equal(await ExpectedCostAsync(team, ct), call.GetProperty("cost").GetDecimal());
        Assert.True(call.GetProperty("metadata").GetProperty("stream").GetBoolean());
        Assert.True(call.GetProperty("metadata").GetProperty("time_to_first_token_ms").GetInt32() >= 0);
    }

    [Fact]
    public async Task A_stream_that_did_not_ask_for_usage_is_counted_from_usage_the_gateway_asked_for_and_the_client_never_sees()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        using var http = team.Http();
        var marker = $"plain-stream-{Guid.NewGuid():N}";

        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "gpt-4o-mini", stream = true, messages = new[] { new { role = "user", content = marker } },
        }, ct);
        var events = (await response.Content.ReadAsStringAsync(ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("data: [DONE]", events[^1]);
        // The words, the finish chunk, the cost comment, [DONE]: no usage chunk.
        Assert.Equal(FakeUpstream.StreamedWords.Length + 3, events.Length);
        Assert.StartsWith(": Cognive-Cost-Usd: ", events[^2]);
        Assert.Equal(await ExpectedCostAsync(team, ct), decimal.Parse(events[^2][": Cognive-Cost-Usd: ".Length..], CultureInfo.InvariantCulture));
        Assert.All(events[..^2], e => Assert.Equal(JsonValueKind.Null,
            JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("usage").ValueKind));
        var sent = JsonDocument.Parse(Assert.Single(_upstream.Requests, r => r.Marker == marker).Body).RootElement;
        Assert.True(sent.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal(1200L, call.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task A_large_answer_whose_upstream_announced_no_length_carries_its_cost_and_length()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);

        var result = await team.Chat().CompleteChatAsync([new UserChatMessage($"large-answer-{Guid.NewGuid():N}")], cancellationToken: ct);

        Assert.Equal(FakeUpstream.LargeAnswerChars, result.Value.Content.Single().Text.Length);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("Cognive-Cost-Usd", out var cost));
        Assert.Equal(await ExpectedCostAsync(team, ct), decimal.Parse(cost!, CultureInfo.InvariantCulture));
        Assert.True(result.GetRawResponse().Headers.TryGetValue("Content-Length", out var length));
        Assert.True(int.Parse(length!, CultureInfo.InvariantCulture) > FakeUpstream.LargeAnswerChars);
        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal(1200L, call.GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task A_hard_budget_without_room_answers_429_in_OpenAI_format_with_retry_after_and_the_upstream_is_never_called()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        using var budget = await team.Session.Client.PostAsJsonAsync("/api/v1/budgets",
            new { name = "tiny", agent_id = team.AgentId, amount_usd = 0.000001m, period = "daily" }, ct);
        Assert.Equal(HttpStatusCode.Created, budget.StatusCode);
        var marker = $"over-budget-{Guid.NewGuid():N}";

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => team.Chat().CompleteChatAsync([new UserChatMessage(marker)],
            cancellationToken: ct));
        using var http = team.Http();
        using var raw = await http.PostAsJsonAsync("/v1/chat/completions",
            new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = marker } } }, ct);

        Assert.Equal(429, refused.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, raw.StatusCode);
        Assert.NotNull(raw.Headers.RetryAfter);
        var error = (await TeamSession.ReadAsync(raw, ct)).GetProperty("error");
        Assert.Equal(("insufficient_quota", "budget_exceeded"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
        Assert.Contains("tiny", error.GetProperty("message").GetString());
        Assert.Equal(0, _upstream.CountWith(marker));
    }

    [Fact]
    public async Task A_policy_refuses_with_403_in_OpenAI_format_and_the_upstream_is_never_called()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        using var policy = await team.Session.Client.PostAsJsonAsync("/api/v1/policies",
            new { name = "only-4o", agent_id = team.AgentId, allowed_models = new[] { "gpt-4o" } }, ct);
        Assert.Equal(HttpStatusCode.Created, policy.StatusCode);
        var marker = $"forbidden-model-{Guid.NewGuid():N}";

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => team.Chat(byAgent: true).CompleteChatAsync(
            [new UserChatMessage(marker)], cancellationToken: ct));

        Assert.Equal(403, refused.Status);
        var error = JsonDocument.Parse(refused.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("policy_violation", error.GetProperty("code").GetString());
        Assert.Contains("only-4o", error.GetProperty("message").GetString());
        Assert.Equal(0, _upstream.CountWith(marker));
    }

    [Fact]
    public async Task An_upstream_500_reaches_the_client_as_its_OpenAI_error_and_the_call_is_recorded_as_failed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);

        var failed = await Assert.ThrowsAsync<ClientResultException>(() => team.Chat().CompleteChatAsync(
            [new UserChatMessage($"fail-500-{Guid.NewGuid():N}")], cancellationToken: ct));

        Assert.Equal(500, failed.Status);
        Assert.Equal("fake_failure", JsonDocument.Parse(failed.GetRawResponse()!.Content.ToString()).RootElement
            .GetProperty("error").GetProperty("code").GetString());
        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal("error", call.GetProperty("status").GetString());
        Assert.Equal(500, call.GetProperty("metadata").GetProperty("upstream_status").GetInt32());
    }

    [Fact]
    public async Task An_upstream_that_never_answers_fails_the_call_with_504_and_its_request_is_cancelled()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        var marker = $"hang-{Guid.NewGuid():N}";

        var failed = await Assert.ThrowsAsync<ClientResultException>(() => team.Chat().CompleteChatAsync([new UserChatMessage(marker)],
            cancellationToken: ct));

        Assert.Equal(504, failed.Status);
        Assert.Equal("upstream_timeout", JsonDocument.Parse(failed.GetRawResponse()!.Content.ToString()).RootElement
            .GetProperty("error").GetProperty("code").GetString());
        await Eventually.HoldsAsync(() => Task.FromResult(_upstream.Cancelled.Contains(marker)), "the upstream request was cancelled", ct);
        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal("upstream_timeout", call.GetProperty("metadata").GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_client_that_abandons_a_stream_cancels_the_upstream_request()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        var marker = $"slow-stream-{Guid.NewGuid():N}";
        var started = DateTime.UtcNow;

        await using (var updates = team.Chat().CompleteChatStreamingAsync([new UserChatMessage(marker)], cancellationToken: ct)
                         .GetAsyncEnumerator(ct))
        {
            Assert.True(await updates.MoveNextAsync());
            Assert.True(await updates.MoveNextAsync());
        }

        // The fake streams for 20 s; its request ends long before that only because the gateway cancelled it.
        await Eventually.HoldsAsync(() => Task.FromResult(_upstream.Cancelled.Contains(marker)), "the upstream request was cancelled", ct,
            TimeSpan.FromSeconds(15));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(18));
        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal(("error", "client_disconnected"), (call.GetProperty("status").GetString(),
            call.GetProperty("metadata").GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Embeddings_and_the_model_list_go_through_the_team_s_connections()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        var client = team.Client();

        var embedding = await client.GetEmbeddingClient("primary/text-embedding-3-small").GenerateEmbeddingAsync("embed me", cancellationToken: ct);
        var models = await client.GetOpenAIModelClient().GetModelsAsync(ct);

        Assert.Equal([0.1f, 0.2f, 0.3f], embedding.Value.ToFloats().ToArray());
        Assert.Contains(models.Value, m => m.Id == "primary/gpt-4o-mini");
        var call = Assert.Single(await team.StoredCallsAsync(1, ct));
        Assert.Equal(("text-embedding-3-small", 8L), (call.GetProperty("model").GetString(), call.GetProperty("input_tokens").GetInt64()));
        Assert.Equal("embeddings", call.GetProperty("metadata").GetProperty("operation").GetString());
    }

    [Fact]
    public async Task A_call_that_names_no_agent_or_an_agent_of_another_team_is_refused_before_the_upstream()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        using var other = await GatewayTeam.CreateAsync(_app, _upstream, UpstreamKey, ct);
        var marker = $"unattributed-{Guid.NewGuid():N}";
        using var http = new HttpClient { BaseAddress = _app.App.GetEndpoint("gateway", "http") };
        http.DefaultRequestHeaders.Add("X-API-Key", team.Key);
        var body = new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = marker } } };

        using var anonymous = await http.PostAsJsonAsync("/v1/chat/completions", body, ct);
        using var foreign = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(body), Headers = { { "Cognive-Agent-Id", other.AgentId.ToString() } },
        }, ct);
        using var foreignRun = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(body), Headers = { { "Cognive-Run-Id", other.RunId.ToString() } },
        }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        Assert.Equal("agent_required", (await TeamSession.ReadAsync(anonymous, ct)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignRun.StatusCode);
        Assert.Equal(0, _upstream.CountWith(marker));
    }

    [Fact]
    public async Task The_upstream_key_appears_in_no_API_answer_audit_record_or_service_log()
    {
        var ct = TestContext.Current.CancellationToken;
        var canary = $"sk-canary-{Guid.NewGuid():N}";
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, canary, ct);
        await team.Chat().CompleteChatAsync([new UserChatMessage($"canary-call-{Guid.NewGuid():N}")], cancellationToken: ct);
        await Assert.ThrowsAsync<ClientResultException>(() => team.Chat().CompleteChatAsync(
            [new UserChatMessage($"fail-500-{Guid.NewGuid():N}")], cancellationToken: ct));
        using var replaced = await team.Session.Client.PatchAsJsonAsync($"/api/v1/providers/{team.ConnectionId}", new { api_key = canary + "-2" }, ct);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        string[] paths = ["/api/v1/providers", $"/api/v1/providers/{team.ConnectionId}", "/api/v1/audit", $"/api/v1/runs/{team.RunId}/llm-calls"];
        var answers = string.Join('\n', await Task.WhenAll(paths.Select(path => team.Session.Client.GetStringAsync(path, ct))));
        string[] services = ["gateway", "api"];
        var logs = string.Join('\n', await Task.WhenAll(services.Select(async name =>
        {
            var resource = await _app.App.ResourceNotifications.WaitForResourceAsync(name, e => e.Snapshot.State?.Text == KnownResourceStates.Running, ct);
            return await ResourceLog.ReadAsync(_app.App, resource.ResourceId, canary, TimeSpan.FromSeconds(5), ct);
        })));

        Assert.Contains(_upstream.Requests, r => r.Authorization == $"Bearer {canary}"); // the key was used
        Assert.Contains("provider.update", answers);
        Assert.Contains("\"api_key_replaced\":true", answers);
        Assert.DoesNotContain(canary, answers, StringComparison.Ordinal);
        Assert.NotEmpty(logs);
        Assert.DoesNotContain(canary, logs, StringComparison.Ordinal);
    }

    /// <summary>The price table's gpt-4o-mini price for the fake's usage: cached input at its own price.</summary>
    private static async Task<decimal> ExpectedCostAsync(GatewayTeam team, CancellationToken ct)
    {
        var price = (await team.Session.GetJsonAsync("/api/v1/pricing/openai/gpt-4o-mini", ct)).GetProperty("current");
        var cached = price.TryGetProperty("cached_input_per_million", out var c) && c.ValueKind == JsonValueKind.Number
            ? c.GetDecimal()
            : price.GetProperty("input_per_million").GetDecimal();
        return ((FakeUpstream.PromptTokens - FakeUpstream.CachedTokens) * price.GetProperty("input_per_million").GetDecimal()
                + FakeUpstream.CachedTokens * cached + FakeUpstream.CompletionTokens * price.GetProperty("output_per_million").GetDecimal())
               / 1_000_000m;
    }
}
