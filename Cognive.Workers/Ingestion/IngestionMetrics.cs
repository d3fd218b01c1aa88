using System.Diagnostics.Metrics;

namespace Cognive.Workers.Ingestion;

/// <summary>The pipeline's health as metrics: throughput, duplicates, dead letters, lag and queue depths.</summary>
public sealed class IngestionMetrics
{
    private readonly Counter<long> _stored;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _batchDuration;
    private readonly Histogram<double> _lag;

    public IngestionMetrics(IMeterFactory meters, IHostEnvironment environment)
    {
        var meter = meters.Create(environment.ApplicationName);
        _stored = meter.CreateCounter<long>("cognive.ingestion.events.stored", "{event}", "LLM calls stored for the first time");
        _duplicates = meter.CreateCounter<long>("cognive.ingestion.events.duplicate", "{event}", "LLM calls seen before and skipped");
        _deadLettered = meter.CreateCounter<long>("cognive.ingestion.messages.dead_lettered", "{message}",
            "Messages this worker rejected to the dead-letter queue at once (unreadable)");
        _batchDuration = meter.CreateHistogram<double>("cognive.ingestion.batch.duration", "s", "Time to store one batch");
        _lag = meter.CreateHistogram<double>("cognive.ingestion.lag", "s", "From the API's 202 to the call being stored");
        meter.CreateObservableGauge("cognive.ingestion.queue.depth", () => QueueDepth, "{message}", "Messages waiting to be stored");
        meter.CreateObservableGauge("cognive.ingestion.dead_letter.depth", () => DeadLetterDepth, "{message}",
            "Messages in the dead-letter queue");
    }

    public long QueueDepth { get; set; }

    public long DeadLetterDepth { get; set; }

    public void BatchStored(int received, IReadOnlyList<double> lags, TimeSpan duration)
    {
        _stored.Add(lags.Count);
        _duplicates.Add(received - lags.Count);
        _batchDuration.Record(duration.TotalSeconds);
        foreach (var lag in lags)
        {
            _lag.Record(lag);
        }
    }

    public void DeadLettered() => _deadLettered.Add(1);
}
