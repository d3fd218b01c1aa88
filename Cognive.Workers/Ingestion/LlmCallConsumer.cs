using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Cognive.Ingestion;
using Cognive.Governance.Budgets;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Cognive.Workers.Ingestion;

/// <summary>
/// Consumes the LLM-call queue with manual acks, gathers deliveries into batches (by count and by a short window),
/// stores each batch in one transaction and acks only after it committed. Unreadable messages are dead-lettered at
/// once; a message whose data the database refuses is returned to the queue and, after the queue's delivery limit,
/// dead-lettered, while the rest of its batch is stored without it. Database outages are retried in place.
/// </summary>
public sealed class LlmCallConsumer(IConnection connection, CallWriter writer, BudgetTracker budgets, IngestionMetrics metrics,
    ILogger<LlmCallConsumer> logger) : BackgroundService
{
    /// <summary>
    /// Unacked messages per session. A message may hold 1,000 calls (~300 KB), so this bounds the process's memory: 250
    /// a session held ~190 MB of bodies at saturation (dotnet-counters: the large object heap), the workers' peak RSS
    /// 363 MiB. 32 still hold several full batches of the largest messages.
    /// </summary>
    private const ushort Prefetch = 32;
    private const int MaxEventsPerBatch = 5000;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Consuming sessions per process, each on its own channel with its own batches (so acks by tag stay per channel).
    /// One session stores a batch while nothing else moves: the database waits for the next batch to be gathered and
    /// read, the worker for the commit. Two overlap those, as two replicas would, on the two cores of one machine.
    /// </summary>
    private const int Sessions = 2;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => Task.Run(() => ConsumeUntilStoppedAsync(stoppingToken), stoppingToken)));

    private async Task ConsumeUntilStoppedAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Consuming stopped; starting again shortly");
                await Task.Delay(MaxRetryDelay, stoppingToken);
            }
        }
    }

    /// <summary>One consuming session, until the channel is closed for good (connection drops recover by themselves).</summary>
    private async Task ConsumeAsync(CancellationToken ct)
    {
        var inbox = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        await IngestionTopology.DeclareAsync(channel, ct);
        await channel.BasicQosAsync(0, Prefetch, global: false, ct);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            inbox.Writer.TryWrite(new Delivery(delivery.DeliveryTag, PooledBuffer.CopyOf(delivery.Body.Span)));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(IngestionTopology.LlmCallsQueue, autoAck: false, consumer, ct);
        logger.LogInformation("Consuming {Queue}", IngestionTopology.LlmCallsQueue);

        while (!channel.IsClosed || !connection.IsOpen)
        {
            var batch = await NextBatchAsync(inbox.Reader, ct);
            if (batch.Count > 0)
            {
                await ProcessAsync(channel, batch, ct);
            }
        }

        logger.LogWarning("The consuming channel closed: {Reason}", channel.CloseReason);
    }

    private static async Task<List<Delivery>> NextBatchAsync(ChannelReader<Delivery> inbox, CancellationToken ct)
    {
        var batch = new List<Delivery>();
        using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            idle.CancelAfter(IdleCheck);
            try
            {
                await inbox.WaitToReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return batch;
            }
        }

        // With the prefetch all here, nothing more comes before this batch is acked: waiting out the window would be idle.
        await inbox.GatherAsync(batch, b => b.Count >= Prefetch || b.Sum(d => d.EstimatedEvents) >= MaxEventsPerBatch, BatchWindow, ct);
        return batch;
    }

    private async Task ProcessAsync(IChannel channel, List<Delivery> batch, CancellationToken ct)
    {
        var readable = new List<(Delivery Delivery, LlmCallMessage Message)>(batch.Count);
        foreach (var delivery in batch)
        {
            var bytes = delivery.Body.Length;
            var message = Read(delivery.Body.Written.Span);
            delivery.Body.Dispose();
            if (message is not null)
            {
                readable.Add((delivery, message));
                continue;
            }

            logger.LogWarning("Dead-lettering unreadable message {Tag} ({Bytes} bytes)", delivery.Tag, bytes);
            await SettleAsync(() => channel.BasicRejectAsync(delivery.Tag, requeue: false, ct));
            metrics.DeadLettered();
        }

        if (readable.Count > 0)
        {
            await StoreAsync(channel, readable, ct);
        }
    }

    private async Task StoreAsync(IChannel channel, List<(Delivery Delivery, LlmCallMessage Message)> messages, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var events = messages.SelectMany(m => m.Message.Events).ToList();
            try
            {
                var started = Stopwatch.GetTimestamp();
                var lags = await writer.StoreAsync(events, ct);
                metrics.BatchStored(events.Count, lags, Stopwatch.GetElapsedTime(started));
                // Before the ack, failing like storing: a crash or an error here stores the batch again (nothing new) and
                // records its thresholds again.
                var budgetSpend = await budgets.RecordAsync(events, ct);
                await SettleAsync(() => channel.BasicAckAsync(messages.Max(m => m.Delivery.Tag), multiple: true, ct));
                await PublishSpendAsync(events, budgetSpend);
                return;
            }
            catch (Exception e) when (CallWriter.IsCausedByData(e))
            {
                if (messages.Count == 1)
                {
                    logger.LogWarning("Message {Tag} was refused by the database ({Reason}); returning it to the queue",
                        messages[0].Delivery.Tag, e.Message);
                    await SettleAsync(() => channel.BasicNackAsync(messages[0].Delivery.Tag, multiple: false, requeue: true, ct));
                    return;
                }

                // One message's data spoils the batch: store each on its own, so only that one goes back.
                foreach (var message in messages)
                {
                    await StoreAsync(channel, [message], ct);
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, attempt)));
                logger.LogWarning("Storing {Count} events failed (attempt {Attempt}): {Reason}; retrying in {Delay}",
                    events.Count, attempt, e.Message, delay);
                await Task.Delay(delay, ct);
            }
        }
    }

    private async Task PublishSpendAsync(List<LlmCallEvent> events, BudgetSpend budgetSpend)
    {
        try
        {
            await budgets.PublishAsync(budgetSpend, events);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Budget spend not raised in Redis (it catches up with the budget's next batch): {Reason}", e.Message);
        }
    }

    /// <summary>Acks and rejects on a channel that dropped are moot: the broker redelivers, and storing is idempotent.</summary>
    private async Task SettleAsync(Func<ValueTask> settle)
    {
        try
        {
            await settle();
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException)
        {
            logger.LogInformation("A settlement was lost with the channel; the broker will redeliver: {Reason}", e.Message);
        }
    }

    private static LlmCallMessage? Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var message = JsonSerializer.Deserialize(body, IngestionJson.Default.LlmCallMessage);
            return message?.Events is { Count: > 0 } events && events.All(IsComplete) ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsComplete(LlmCallEvent call) =>
        call.EventId != Guid.Empty && call.TeamId != Guid.Empty && call.RunId != Guid.Empty && call.AgentId != Guid.Empty &&
        call.Provider is not null && call.Model is not null && call.Status is not null;

    /// <summary>A delivery's body is copied out of the client's buffer, which is reused once the handler returns.</summary>
    private sealed record Delivery(ulong Tag, PooledBuffer Body)
    {
        /// <summary>Batches are bounded by events, and a message holds about one event per 300 bytes.</summary>
        public int EstimatedEvents => Math.Max(1, Body.Length / 300);
    }
}
