using System.Threading.Channels;
using Cognive.Ingestion;

namespace Cognive.Gateway.Calls;

/// <summary>
/// Publishes the calls the gateway forwarded without making their answers wait: a call is queued in memory once its
/// answer has been sent, and a background loop publishes what is queued in batches through <see cref="TelemetryPublisher"/>
/// (publisher confirms), retrying a batch RabbitMQ did not confirm. Event ids make retries safe: the workers store each
/// event once. What is still queued when the process dies is lost; a clean stop drains the queue first.
/// </summary>
public sealed class CallRecorder(TelemetryPublisher publisher, ILogger<CallRecorder> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    private const int Capacity = 100_000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<LlmCallEvent> _queue = Channel.CreateBounded<LlmCallEvent>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a call; waits only when <see cref="Capacity"/> calls are already waiting (RabbitMQ away).</summary>
    public ValueTask RecordAsync(LlmCallEvent call, CancellationToken ct) => _queue.Writer.WriteAsync(call, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<LlmCallEvent>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var call))
            {
                batch.Add(call);
            }

            await PublishAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Until RabbitMQ confirms the batch; when stopping, gives up only once the host's shutdown time is over.</summary>
    private async Task PublishAsync(List<LlmCallEvent> batch, CancellationToken stopping)
    {
        var message = new LlmCallMessage(batch.ToArray());
        while (true)
        {
            try
            {
                await publisher.PublishAsync(message, CancellationToken.None);
                return;
            }
            catch (IngestionUnavailableException e)
            {
                logger.LogWarning("{Count} gateway calls wait for RabbitMQ: {Reason}", batch.Count, e.InnerException?.Message);
            }

            if (stopping.IsCancellationRequested && _queue.Reader.Completion.IsCompleted)
            {
                logger.LogError("{Count} gateway calls were not published before the gateway stopped", batch.Count);
                return;
            }

            await Task.Delay(RetryDelay, CancellationToken.None);
        }
    }
}
