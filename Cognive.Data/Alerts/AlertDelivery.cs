namespace Cognive.Data.Alerts;

/// <summary>One alert on its way to one webhook: retried with backoff until delivered or dead.</summary>
public sealed class AlertDelivery
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    /// <summary>A budget alert's or a swarm alert's id (ids are unique across both: version 7 UUIDs).</summary>
    public Guid AlertId { get; init; }

    public Guid WebhookId { get; init; }

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    /// <summary>When the next attempt is due; while one is in flight, when its claim lapses.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}

/// <summary>The last error of a delivery given up because its webhook was deleted.</summary>
public static class DeliveryErrors
{
    public const string WebhookDeleted = "webhook deleted";
}

public enum DeliveryStatus
{
    Pending,
    Delivered,
    Dead,
}

/// <summary>How every kind of alert queues its deliveries, so budget and swarm alerts reach webhooks alike.</summary>
public static class AlertDeliveries
{
    /// <summary>SQL that queues one pending delivery, due now, per live webhook of the team of each alert just stored.</summary>
    /// <param name="stored">The statement's name for the stored alerts, with columns <c>id</c> and <c>team_id</c>.</param>
    public static string QueueSql(string stored) => $"""
        INSERT INTO alert_deliveries (id, team_id, alert_id, webhook_id, status, attempts, next_attempt_at)
        SELECT gen_random_uuid(), a.team_id, a.id, w.id, 'Pending', 0, now()
        FROM {stored} a JOIN webhooks w ON w.team_id = a.team_id AND w.deleted_at IS NULL
        """;
}
