using System.ClientModel;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using OpenAI;
using OpenAI.Chat;

namespace Cognive.Tests.Gateway;

/// <summary>
/// What the pipeline refuses under <c>/v1</c> (authentication, permissions, the request size, the per-key rate, a bad
/// request) reaches OpenAI's own .NET client as OpenAI errors: the exception carries the status and the message, and the
/// body is <c>{"error": {"message", "type", "param", "code"}}</c>. The shared app allows 1 MiB requests (SharedApp.Gateway).
/// </summary>
public sealed class GatewayErrorTests(SharedApp shared, UpstreamFixture fixture) : IClassFixture<UpstreamFixture>
{
    private readonly CogniveApp _app = shared.App;
    private readonly FakeUpstream _upstream = fixture.Upstream;

    [Fact]
    public async Task An_unknown_key_is_refused_with_401_in_OpenAI_format()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, "sk-errors", ct);
        var chat = new ChatClient("gpt-4o-mini", new ApiKeyCredential("cgv_not-a-key-of-anyone"),
            new OpenAIClientOptions { Endpoint = team.GatewayV1, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("who am I")],
            cancellationToken: ct));

        var error = AssertOpenAiError(refused, 401, "authentication_error", "unauthenticated");
        Assert.Contains("Cognive API key", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_key_without_telemetry_write_is_refused_with_403_in_OpenAI_format()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, "sk-errors", ct);
        using var created = await team.Session.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "reader", scopes = new[] { "cost:read" } }, ct);
        var reader = (await TeamSession.ReadAsync(created, ct)).GetProperty("key").GetString()!;
        var marker = $"reader-{Guid.NewGuid():N}";

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => team.Chat(key: reader).CompleteChatAsync(
            [new UserChatMessage(marker)], cancellationToken: ct));

        AssertOpenAiError(refused, 403, "permission_error", "forbidden");
        Assert.Equal(0, _upstream.CountWith(marker));
    }

    [Fact]
    public async Task A_request_over_the_size_limit_is_refused_with_413_in_OpenAI_format()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, "sk-errors", ct);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => team.Chat().CompleteChatAsync(
            [new UserChatMessage(new string('x', 1_100_000))], cancellationToken: ct));

        AssertOpenAiError(refused, 413, "invalid_request_error", "request_too_large");
    }

    [Fact]
    public async Task A_malformed_request_is_refused_with_400_in_OpenAI_format()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, "sk-errors", ct);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => team.Chat(model: new string('m', 300)).CompleteChatAsync(
            [new UserChatMessage("a model name too long")], cancellationToken: ct));
        using var http = team.Http();
        using var notJson = await http.PostAsync("/v1/chat/completions", new StringContent("{not json", null, "application/json"), ct);

        AssertOpenAiError(refused, 400, "invalid_request_error", "invalid_request");
        Assert.Equal(400, (int)notJson.StatusCode);
        Assert.Equal("invalid_request_error", (await TeamSession.ReadAsync(notJson, ct)).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_key_past_its_rate_is_refused_by_the_gateway_with_429_retry_after_in_OpenAI_format_before_the_upstream()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, "sk-errors", ct);
        using var created = await team.Session.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "slow", rate_limit_per_minute = 5 }, ct);
        var slow = (await TeamSession.ReadAsync(created, ct)).GetProperty("key").GetString()!;
        var marker = $"rated-{Guid.NewGuid():N}";

        // The key's window is shared with the API, which counts what the gateway asks it on the caller's behalf: the
        // gateway's own limiter is the one that answers once the window is spent.
        ClientResultException? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var call = await Record.ExceptionAsync(() => team.Chat(key: slow).CompleteChatAsync([new UserChatMessage($"{marker}-{i}")],
                cancellationToken: ct));
            if (call is ClientResultException { Status: 429 } e && ErrorOf(e).GetProperty("code").GetString() == "rate_limited")
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
        var error = AssertOpenAiError(refused, 429, "rate_limit_error", "rate_limited");
        Assert.Contains("5 requests a minute", error.GetProperty("message").GetString());
        var headers = refused.GetRawResponse()!.Headers;
        Assert.True(headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.InRange(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.True(headers.TryGetValue("RateLimit-Limit", out var limit));
        Assert.Equal("5", limit);
    }

    private static JsonElement AssertOpenAiError(ClientResultException refused, int status, string type, string? code)
    {
        Assert.Equal(status, refused.Status);
        var error = ErrorOf(refused);
        Assert.Equal(type, error.GetProperty("type").GetString());
        if (code is not null)
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
        }

        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.Contains(message!, refused.Message);
        return error;
    }

    private static JsonElement ErrorOf(ClientResultException refused) =>
        JsonDocument.Parse(refused.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
}
