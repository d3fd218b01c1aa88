namespace Cognive.ApiService.Alerts;

public sealed record CreateWebhookRequest(string? Url);

public sealed record WebhookResponse(Guid Id, string Url, DateTimeOffset CreatedAt);

/// <summary><see cref="Secret"/> is shown once, here: receivers check each delivery's signature with it.</summary>
public sealed record CreatedWebhookResponse(Guid Id, string Url, string Secret, DateTimeOffset CreatedAt);

/// <summary>A threshold of a budget crossed in a period, and how its delivery to each of the team's webhooks went.</summary>
public sealed record AlertResponse(Guid Id, Guid BudgetId, int Threshold, decimal SpentUsd, decimal LimitUsd,
    DateTimeOffset PeriodStart, DateTimeOffset FiredAt, IReadOnlyList<AlertDeliveryResponse> Deliveries);

/// <param name="Status">pending, delivered or dead.</param>
public sealed record AlertDeliveryResponse(Guid WebhookId, string Status, int Attempts, string? LastError, DateTimeOffset? DeliveredAt);

public sealed record AlertPage(IReadOnlyList<AlertResponse> Items);
