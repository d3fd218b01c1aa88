using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cognive.Tests.Gateway;

/// <summary>
/// An OpenAI-compatible upstream on a real loopback port: chat completions (JSON, or SSE with a usage chunk when asked),
/// embeddings and models, answering in OpenAI's format. The last user message steers it: <c>fail-500</c> answers 500,
/// <c>hang</c> never answers, <c>slow-stream</c> streams a chunk every 100 ms for 20 s, <c>large-answer</c> answers
/// <see cref="LargeAnswerChars"/> characters of content without announcing its length. It records what it was sent and
/// which requests were cancelled. Shared by the gateway tests and the gateway benchmark (Cognive.Bench links this file).
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public const long PromptTokens = 1200;
    public const long CompletionTokens = 300;
    public const long CachedTokens = 200;
    public static readonly string[] StreamedWords = ["Hello", " from", " the", " fake"];
    public const int LargeAnswerChars = 300_000;

    private static readonly byte[] Completion = JsonSerializer.SerializeToUtf8Bytes(new
    {
        id = "chatcmpl-fake", @object = "chat.completion", created = 1_700_000_000, model = "gpt-4o-mini",
        choices = new[] { new { index = 0, message = new { role = "assistant", content = "Hello from the fake" }, finish_reason = "stop" } },
        usage = UsageOf(),
    });

    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app) => _app = app;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>Markers (the last user message) of requests whose client went away before the answer ended.</summary>
    public ConcurrentBag<string> Cancelled { get; } = [];

    /// <summary>The OpenAI base URL, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public string BaseUrl => $"{_app.Urls.Single()}/v1";

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var upstream = new FakeUpstream(app);
        app.MapPost("/v1/chat/completions", upstream.ChatAsync);
        app.MapPost("/v1/embeddings", upstream.EmbeddingsAsync);
        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list", data = new[] { new { id = "gpt-4o-mini", @object = "model", created = 0, owned_by = "fake" } },
        }));
        await app.StartAsync();
        return upstream;
    }

    public int CountWith(string marker) => Requests.Count(r => r.Marker.Contains(marker, StringComparison.Ordinal));

    private async Task ChatAsync(HttpContext http)
    {
        var body = (await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted))!.AsObject();
        var marker = body["messages"]?.AsArray().LastOrDefault()?["content"]?.GetValue<string>() ?? "";
        Requests.Enqueue(new SeenRequest(http.Request.Headers.Authorization.ToString(), body.ToJsonString(), marker));
        try
        {
            if (marker.Contains("fail-500", StringComparison.Ordinal))
            {
                http.Response.StatusCode = 500;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "The fake upstream failed.", type = "server_error", param = (string?)null, code = "fake_failure" } });
                return;
            }

            if (marker.Contains("hang", StringComparison.Ordinal))
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }

            if (marker.Contains("large-answer", StringComparison.Ordinal))
            {
                var large = JsonSerializer.SerializeToUtf8Bytes(new
                {
                    id = "chatcmpl-fake", @object = "chat.completion", created = 1_700_000_000, model = "gpt-4o-mini",
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = new string('x', LargeAnswerChars) }, finish_reason = "stop" } },
                    usage = UsageOf(),
                });
                http.Response.ContentType = "application/json";
                await http.Response.Body.WriteAsync(large.AsMemory(0, large.Length / 2), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await http.Response.Body.WriteAsync(large.AsMemory(large.Length / 2), http.RequestAborted);
                return;
            }

            if (body["stream"]?.GetValue<bool>() != true)
            {
                http.Response.ContentType = "application/json";
                http.Response.ContentLength = Completion.Length;
                await http.Response.Body.WriteAsync(Completion, http.RequestAborted);
                return;
            }

            http.Response.ContentType = "text/event-stream";
            var words = marker.Contains("slow-stream", StringComparison.Ordinal) ? Enumerable.Repeat(" more", 200).ToArray() : StreamedWords;
            foreach (var word in words)
            {
                await WriteEventAsync(http, Chunk(new[] { new { index = 0, delta = new { content = word }, finish_reason = (string?)null } }, null));
                if (words.Length > StreamedWords.Length)
                {
                    await Task.Delay(100, http.RequestAborted);
                }
            }

            await WriteEventAsync(http, Chunk(new[] { new { index = 0, delta = new { content = "" }, finish_reason = (string?)"stop" } }, null));
            if (body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
            {
                await WriteEventAsync(http, Chunk(Array.Empty<object>(), UsageOf()));
            }

            await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            Cancelled.Add(marker);
        }
        catch (IOException)
        {
            Cancelled.Add(marker);
        }
    }

    private Task EmbeddingsAsync(HttpContext http) => http.Response.WriteAsJsonAsync(new
    {
        @object = "list", model = "text-embedding-3-small",
        data = new[] { new { @object = "embedding", index = 0, embedding = new[] { 0.1, 0.2, 0.3 } } },
        usage = new { prompt_tokens = 8, total_tokens = 8 },
    });

    private static string Chunk(object choices, object? usage) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1_700_000_000, model = "gpt-4o-mini", choices, usage,
    });

    private static async Task WriteEventAsync(HttpContext http, string json)
    {
        await http.Response.WriteAsync($"data: {json}\n\n", Encoding.UTF8, http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static object UsageOf() => new
    {
        prompt_tokens = PromptTokens, completion_tokens = CompletionTokens, total_tokens = PromptTokens + CompletionTokens,
        prompt_tokens_details = new { cached_tokens = CachedTokens },
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <param name="Marker">The last message's content: what steered the answer, and how tests find their requests.</param>
public sealed record SeenRequest(string Authorization, string Body, string Marker);
