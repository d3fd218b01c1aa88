namespace Cognive.ApiService.Alerts;

public sealed record CreateWebhookRequest(string? Url);

public sealed record WebhookResponse(Guid Id, string Url, DateTimeOffset CreatedAt);

/// <summary><see cref="Secret"/> is shown once, here: receivers check each delivery's signature with it.</summary>
public sealed record CreatedWebhookResponse(Guid Id, string Url, string Secret, DateTimeOffset CreatedAt);

/// <summary>
/// An alert and how its delivery to each of the team's webhooks went: a budget's threshold crossed in a period
/// (<see cref="Type"/> <c>budget.threshold_crossed</c>, with the budget's fields), or news of the team's swarm
/// (<c>swarm.circuit_open</c>, <c>swarm.mass_failure</c>, <c>swarm.instance_failed</c>, with the agent kind and a detail).
/// <see cref="EmailStatus"/> says how e-mailing the team's leads went: pending (also when no mail server is configured),
/// sent, or failed with <see cref="EmailError"/>.
/// </summary>
public sealed record AlertResponse(Guid Id, string Type, Guid? BudgetId, int? Threshold, decimal? SpentUsd, decimal? LimitUsd,
    DateTimeOffset? PeriodStart, string? Kind, string? Detail, DateTimeOffset FiredAt, string EmailStatus, string? EmailError,
    IReadOnlyList<AlertDeliveryResponse> Deliveries)
{
    public static string EmailStatusOf(DateTimeOffset? emailedAt, string? emailError) =>
        emailedAt is not null ? "sent" : emailError is not null ? "failed" : "pending";
}

/// <param name="Status">pending, delivered or dead.</param>
public sealed record AlertDeliveryResponse(Guid WebhookId, string Status, int Attempts, string? LastError, DateTimeOffset? DeliveredAt);

/// <param name="NextCursor">Pass it as <c>cursor</c> for the next (older) page; null on the last.</param>
public sealed record AlertPage(IReadOnlyList<AlertResponse> Items, string? NextCursor);
