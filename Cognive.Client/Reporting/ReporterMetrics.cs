using System.Diagnostics.Metrics;

namespace Cognive.Client.Reporting;

/// <summary>The reporter's instruments (meter <c>Cognive.Client</c>): what was queued, sent, rejected, dropped, lost and retried.</summary>
internal sealed class ReporterMetrics
{
    public const string MeterName = "Cognive.Client";

    public ReporterMetrics(IMeterFactory? meters, Func<long> pending)
    {
        var meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        Queued = meter.CreateCounter<long>("cognive.client.reports.queued", description: "Reports handed to the queue.");
        Sent = meter.CreateCounter<long>("cognive.client.calls.sent", description: "Calls the API accepted.");
        Rejected = meter.CreateCounter<long>("cognive.client.reports.rejected", description: "Reports the API refused as invalid.");
        Dropped = meter.CreateCounter<long>("cognive.client.reports.dropped", description: "Reports dropped (oldest first) from a full queue.");
        Lost = meter.CreateCounter<long>("cognive.client.reports.lost", description: "Reports not sent before the flush deadline at stop.");
        Retries = meter.CreateCounter<long>("cognive.client.sends.retried", description: "Sends that failed and were retried.");
        Unreachable = meter.CreateCounter<long>("cognive.client.budget_checks.unreachable",
            description: "Budget checks that could not reach Cognive (then failed open or closed as set).");
        meter.CreateObservableGauge("cognive.client.queue.length", pending, description: "Reports waiting in the queue.");
    }

    public Counter<long> Queued { get; }

    public Counter<long> Sent { get; }

    public Counter<long> Rejected { get; }

    public Counter<long> Dropped { get; }

    public Counter<long> Lost { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Unreachable { get; }
}
