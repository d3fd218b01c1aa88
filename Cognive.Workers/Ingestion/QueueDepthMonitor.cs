using Cognive.Ingestion;
using RabbitMQ.Client;

namespace Cognive.Workers.Ingestion;

/// <summary>Samples the ingestion and dead-letter queues' depths for the metrics every few seconds.</summary>
public sealed class QueueDepthMonitor(IConnection connection, IngestionMetrics metrics, ILogger<QueueDepthMonitor> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                metrics.QueueDepth = (await channel.QueueDeclarePassiveAsync(IngestionTopology.LlmCallsQueue, stoppingToken)).MessageCount;
                metrics.DeadLetterDepth = (await channel.QueueDeclarePassiveAsync(IngestionTopology.DeadLetterQueue, stoppingToken)).MessageCount;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug("Queue depths not sampled: {Reason}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
