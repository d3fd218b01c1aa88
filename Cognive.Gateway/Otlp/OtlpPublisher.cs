using Cognive.Ingestion;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// Publishes one export's calls and returns once RabbitMQ confirmed every one: an OTLP 200 is never given for a call the
/// queue does not hold. A large export goes as several messages (one per <see cref="MaxEventsPerMessage"/> calls) in
/// flight together; if any is not confirmed the export is answered 503 and the exporter retries it whole, which stores
/// nothing twice (event ids come from the spans).
/// </summary>
public sealed class OtlpPublisher(TelemetryPublisher publisher)
{
    /// <summary>The API's batch limit: the workers' batches stay the size they were tuned for.</summary>
    public const int MaxEventsPerMessage = 1000;

    /// <exception cref="IngestionUnavailableException">RabbitMQ did not confirm a message in time.</exception>
    public Task PublishAsync(List<LlmCallEvent> events, CancellationToken ct) => events.Count switch
    {
        0 => Task.CompletedTask,
        <= MaxEventsPerMessage => publisher.PublishAsync(new LlmCallMessage(events), ct),
        _ => Task.WhenAll(events.Chunk(MaxEventsPerMessage).Select(chunk => publisher.PublishAsync(new LlmCallMessage(chunk), ct))),
    };
}
