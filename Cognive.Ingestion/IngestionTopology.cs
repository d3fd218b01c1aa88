using RabbitMQ.Client;

namespace Cognive.Ingestion;

/// <summary>
/// The queues of the ingestion pipeline. LLM calls go to a durable quorum queue; a message that fails
/// <see cref="DeliveryLimit"/> deliveries is dead-lettered (at least once) to a queue kept for inspection.
/// Publisher and consumer both declare it, with the same arguments, so either may start first.
/// </summary>
public static class IngestionTopology
{
    public const string LlmCallsQueue = "cognive.llm-calls";
    public const string DeadLetterExchange = "cognive.dead-letter";
    public const string DeadLetterQueue = "cognive.llm-calls.dead";

    /// <summary>Deliveries (including redeliveries after a consumer crash) before a message is dead-lettered.</summary>
    public const int DeliveryLimit = 10;

    public static async Task DeclareAsync(IChannel channel, CancellationToken ct)
    {
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false,
            cancellationToken: ct);
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
        await channel.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, routingKey: "", cancellationToken: ct);
        await channel.QueueDeclareAsync(LlmCallsQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-delivery-limit"] = DeliveryLimit,
                ["x-dead-letter-exchange"] = DeadLetterExchange,
                ["x-dead-letter-strategy"] = "at-least-once",
                // At-least-once dead-lettering requires that a full queue refuses publishes rather than drop the oldest.
                ["x-overflow"] = "reject-publish",
            },
            cancellationToken: ct);
    }
}
