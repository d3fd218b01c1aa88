namespace Cognive.Agents.Specialists;

/// <param name="Status">pending, delivered or dead, as the alerts API lists it.</param>
public sealed record AlertDelivery(Guid WebhookId, string Status, int Attempts, string? LastError, DateTimeOffset FiredAt);

public sealed record FailingWebhook(Guid WebhookId, int FailedDeliveries, int DeadDeliveries, string? LastError) : Finding
{
    public override string Kind => "failing_webhook";

    public override string Description =>
        $"Webhook {WebhookId} failed {FailedDeliveries} alert deliveries ({DeadDeliveries} given up); last error: {LastError ?? "none recorded"}.";
}

/// <summary>Reliability of alerting: webhooks whose deliveries are dead or still being retried after an error.</summary>
public static class FailingWebhooks
{
    public static IReadOnlyList<FailingWebhook> Find(IEnumerable<AlertDelivery> deliveries) =>
        deliveries.Where(d => d.Status == "dead" || d.LastError is not null && d.Status == "pending")
            .GroupBy(d => d.WebhookId)
            .Select(g => new FailingWebhook(g.Key, g.Count(), g.Count(d => d.Status == "dead"),
                g.OrderByDescending(d => d.FiredAt).First().LastError))
            .OrderByDescending(w => w.FailedDeliveries)
            .ToList();
}
