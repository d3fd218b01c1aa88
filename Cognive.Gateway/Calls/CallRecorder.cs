using System.Threading.Channels;
using Cognive.Ingestion;

namespace Cognive.Gateway.Calls;

/// <summary>
/// Publishes the calls the gateway forwarded without making their answers wait: a call is written to the
/// <see cref="CallSpool"/> and queued in memory before its answer completes, and a background loop publishes what is
/// queued in batches through <see cref="TelemetryPublisher"/> (publisher confirms), retrying a batch RabbitMQ did not
/// confirm; each confirmed call is released from the spool. A batch gathers the calls of <see cref="GatherWindow"/>: one
/// call a message cost RabbitMQ about 1 ms of CPU each at 200 calls/s (README, "Performance notes"), and holding a call
/// that long delays no answer, since the spool already keeps it. On start and every <see cref="OrphanScan"/>, the segments of
/// gateways that died (on this machine or sharing its spool folder) are replayed. Event ids make retries and replays
/// safe: the workers store each event once.
/// </summary>
public sealed class CallRecorder(TelemetryPublisher publisher, CallSpool spool, TimeProvider time, ILogger<CallRecorder> logger)
    : BackgroundService
{
    private const int MaxBatch = 256;
    private const int Capacity = 100_000;
    private static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan OrphanScan = TimeSpan.FromSeconds(30);

    private readonly Channel<Spooled> _queue = Channel.CreateBounded<Spooled>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Spools and queues a call; waits only when <see cref="Capacity"/> calls are already waiting (RabbitMQ away).</summary>
    public ValueTask RecordAsync(LlmCallEvent call, CancellationToken ct) => _queue.Writer.WriteAsync(new Spooled(call, spool.Append(call)), ct);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(PublishQueuedAsync(stoppingToken), ReplayOrphansAsync(stoppingToken));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task PublishQueuedAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Spooled>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await _queue.Reader.GatherAsync(batch, b => b.Count >= MaxBatch, GatherWindow, CancellationToken.None);
            if (await PublishAsync(batch.Select(c => c.Call).ToArray(), stoppingToken))
            {
                foreach (var segment in batch.Where(c => c.Segment is not null).GroupBy(c => c.Segment!))
                {
                    spool.Confirm(segment.Key, segment.Count());
                }
            }

            batch.Clear();
        }
    }

    /// <summary>Each orphan once: published whole, then deleted; one RabbitMQ does not take stays for the next scan.</summary>
    private async Task ReplayOrphansAsync(CancellationToken stoppingToken)
    {
        try
        {
            do
            {
                foreach (var orphan in spool.ClaimOrphans())
                {
                    using (orphan)
                    {
                        var calls = orphan.ReadCalls();
                        if (await PublishAllAsync(calls, stoppingToken))
                        {
                            orphan.Delete();
                            logger.LogInformation("Replayed {Count} calls a stopped gateway had spooled in {Path}", calls.Count, orphan.Path);
                        }
                    }
                }
            }
            while (!stoppingToken.IsCancellationRequested && await Delay(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is left is replayed by the next gateway.
        }
    }

    private async Task<bool> Delay(CancellationToken stoppingToken)
    {
        await Task.Delay(OrphanScan, time, stoppingToken);
        return true;
    }

    private async Task<bool> PublishAllAsync(List<LlmCallEvent> calls, CancellationToken stoppingToken)
    {
        foreach (var chunk in calls.Chunk(MaxBatch))
        {
            if (!await PublishAsync(chunk, stoppingToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Until RabbitMQ confirms the batch; when stopping, gives up once the queue is closed and drained (the batch stays
    /// spooled for the next gateway). False when it gave up.
    /// </summary>
    private async Task<bool> PublishAsync(LlmCallEvent[] batch, CancellationToken stopping)
    {
        var message = new LlmCallMessage(batch);
        while (true)
        {
            try
            {
                await publisher.PublishAsync(message, CancellationToken.None);
                return true;
            }
            catch (IngestionUnavailableException e)
            {
                logger.LogWarning("{Count} gateway calls wait for RabbitMQ: {Reason}", batch.Length, e.InnerException?.Message);
            }

            if (stopping.IsCancellationRequested && _queue.Reader.Completion.IsCompleted)
            {
                logger.LogWarning("{Count} gateway calls stay spooled for the next gateway: RabbitMQ did not take them before this one stopped",
                    batch.Length);
                return false;
            }

            await Task.Delay(RetryDelay, time, CancellationToken.None);
        }
    }

    private readonly record struct Spooled(LlmCallEvent Call, CallSpool.Segment? Segment);
}
