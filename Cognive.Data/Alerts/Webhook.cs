namespace Cognive.Data.Alerts;

/// <summary>
/// Where a team's alerts are posted. Deliveries are signed with <see cref="Secret"/> (HMAC-SHA256), which must be
/// kept in clear to sign: it is shown once, at creation, and never listed.
/// </summary>
public sealed class Webhook : ISoftDeleted
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public required string Url { get; init; }

    public required string Secret { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; set; }
}
