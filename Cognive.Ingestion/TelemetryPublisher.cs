using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Microsoft.Extensions.Logging;

namespace Cognive.Ingestion;

/// <summary>
/// Publishes accepted calls to the durable quorum queue and returns only once RabbitMQ confirmed them: a 202 is never
/// given for an event RabbitMQ does not hold. Confirms are awaited on a few channels shared by all requests, so many
/// publishes are in flight at once. The API and the gateway publish through it.
/// </summary>
public sealed class TelemetryPublisher(IConnection connection, ILogger<TelemetryPublisher> logger) : IAsyncDisposable
{
    private const int ChannelCount = 4;
    private const int OutstandingConfirmsPerChannel = 1024;
    private const int BytesPerEvent = 400;
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(5);

    private readonly IChannel?[] _channels = new IChannel?[ChannelCount];
    private readonly SemaphoreSlim _opening = new(1, 1);
    private volatile bool _declared;
    private int _next;

    /// <exception cref="IngestionUnavailableException">RabbitMQ did not confirm the message in time.</exception>
    public async Task PublishAsync(LlmCallMessage message, CancellationToken ct)
    {
        var body = new PooledBuffer(message.Events.Count * BytesPerEvent);
        using (var json = new Utf8JsonWriter(body))
        {
            JsonSerializer.Serialize(json, message, IngestionJson.Default.LlmCallMessage);
        }

        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            Headers = Activity.Current is { } activity ? new Dictionary<string, object?> { ["traceparent"] = activity.Id } : null,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConfirmTimeout);
        try
        {
            var channel = await GetChannelAsync(timeout.Token);
            await channel.BasicPublishAsync("", IngestionTopology.LlmCallsQueue, mandatory: true, properties, body.Written, timeout.Token);
            // Only a confirmed publish is certainly done with the body; a failed one leaves it to the garbage collector.
            body.Dispose();
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is RabbitMQClientException or OperationInterruptedException
                                      or PublishException or OperationCanceledException or IOException)
        {
            if (e is PublishException { IsReturn: true })
            {
                _declared = false;
            }

            logger.LogWarning("RabbitMQ did not take {Count} events: {Reason}", message.Events.Count, e.Message);
            throw new IngestionUnavailableException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }
    }

    private async ValueTask<IChannel> GetChannelAsync(CancellationToken ct)
    {
        if (!connection.IsOpen)
        {
            throw new IngestionUnavailableException(new InvalidOperationException("The RabbitMQ connection is down or recovering."));
        }

        var slot = (int)((uint)Interlocked.Increment(ref _next) % ChannelCount);
        if (_channels[slot] is { IsOpen: true } open && _declared)
        {
            return open;
        }

        await _opening.WaitAsync(ct);
        try
        {
            if (_channels[slot] is not { IsOpen: true })
            {
                if (_channels[slot] is { } closed)
                {
                    await closed.DisposeAsync();
                }

                _channels[slot] = await connection.CreateChannelAsync(new CreateChannelOptions(
                    publisherConfirmationsEnabled: true,
                    publisherConfirmationTrackingEnabled: true,
                    outstandingPublisherConfirmationsRateLimiter: new ThrottlingRateLimiter(OutstandingConfirmsPerChannel)), ct);
            }

            if (!_declared)
            {
                await IngestionTopology.DeclareAsync(_channels[slot]!, ct);
                _declared = true;
            }

            return _channels[slot]!;
        }
        finally
        {
            _opening.Release();
        }
    }
}

/// <summary>The pipeline cannot take events durably right now; callers answer 503 and the client retries.</summary>
public sealed class IngestionUnavailableException(Exception inner)
    : Exception("The ingestion queue is unavailable.", inner);
