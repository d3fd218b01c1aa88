using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cognive.Tests.Governance;

/// <summary>What a webhook receiver was sent, and when: the delivery headers and the raw body, as signed.</summary>
public sealed record ReceivedRequest(DateTimeOffset At, string? Signature, string? IdempotencyKey, string? Attempt, byte[] Body);

/// <summary>
/// A real HTTP receiver on a loopback port for the workers to post alerts to. It records every request and answers
/// with the status <c>answer</c> gives for the request's number (from 1), or, for null, not at all until the caller gives
/// up or the receiver is disposed.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<int, int?> _answer;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly CancellationTokenSource _disposed = new();
    private int _count;
    private int _held;

    private WebhookReceiver(Func<int, int?> answer)
    {
        _answer = answer;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{**path}", ReceiveAsync);
    }

    /// <summary>The URL to register as the webhook.</summary>
    public string Url => $"{_app.Urls.Single()}/hooks/alerts";

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <summary>Requests being held open right now.</summary>
    public int Held => Volatile.Read(ref _held);

    public static Task<WebhookReceiver> FailingFirstAsync(int failures, CancellationToken ct) =>
        StartAsync(n => n <= failures ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK, ct);

    public static Task<WebhookReceiver> AlwaysAsync(int status, CancellationToken ct) => StartAsync(_ => status, ct);

    public static Task<WebhookReceiver> HangingAsync(CancellationToken ct) => StartAsync(_ => null, ct);

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        await _app.DisposeAsync();
        _disposed.Dispose();
    }

    private static async Task<WebhookReceiver> StartAsync(Func<int, int?> answer, CancellationToken ct)
    {
        var receiver = new WebhookReceiver(answer);
        await receiver._app.StartAsync(ct);
        return receiver;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var at = DateTimeOffset.UtcNow;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers;
        _received.Enqueue(new ReceivedRequest(at, headers["Cognive-Signature"], headers["Idempotency-Key"], headers["Cognive-Delivery-Attempt"],
            body.ToArray()));
        if (_answer(Interlocked.Increment(ref _count)) is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }

        Interlocked.Increment(ref _held);
        try
        {
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _disposed.Token);
            await Task.Delay(Timeout.InfiniteTimeSpan, gone.Token);
        }
        catch (OperationCanceledException)
        {
            // The sender gave up waiting, or the test ended: either way there is no one to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }
}
