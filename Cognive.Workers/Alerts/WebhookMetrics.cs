using System.Diagnostics.Metrics;

namespace Cognive.Workers.Alerts;

/// <summary>Alert deliveries to webhooks as metrics: how attempts end, and how long receivers take.</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _dead;
    private readonly Histogram<double> _duration;

    public WebhookMetrics(IMeterFactory meters, IHostEnvironment environment)
    {
        var meter = meters.Create(environment.ApplicationName);
        _delivered = meter.CreateCounter<long>("cognive.webhooks.deliveries.delivered", "{delivery}", "Alerts a webhook accepted (2xx)");
        _failed = meter.CreateCounter<long>("cognive.webhooks.attempts.failed", "{attempt}", "Failed attempts that will be retried");
        _dead = meter.CreateCounter<long>("cognive.webhooks.deliveries.dead", "{delivery}", "Deliveries given up on");
        _duration = meter.CreateHistogram<double>("cognive.webhooks.attempt.duration", "s", "From sending an alert to the receiver's answer");
    }

    public void Delivered() => _delivered.Add(1);

    public void Failed() => _failed.Add(1);

    public void Dead() => _dead.Add(1);

    public void Attempted(TimeSpan duration) => _duration.Record(duration.TotalSeconds);
}
