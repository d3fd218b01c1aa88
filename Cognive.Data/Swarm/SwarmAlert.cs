namespace Cognive.Data.Swarm;

/// <summary>
/// Something about a team's swarm that people must hear of (a kind quarantined, a mass failure, an instance failed
/// under an alert-only policy). Delivered to the team's webhooks like a budget alert: its deliveries name it.
/// </summary>
public sealed class SwarmAlert
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    /// <summary>circuit_open, mass_failure or instance_failed.</summary>
    public required string Alert { get; init; }

    /// <summary>The agent kind it is about; "*" for the whole swarm.</summary>
    public required string Kind { get; init; }

    public required string Detail { get; init; }

    public DateTimeOffset RaisedAt { get; init; }

    /// <summary>When the team's leads were e-mailed about it; null until then, or when no SMTP server is configured.</summary>
    public DateTimeOffset? EmailedAt { get; set; }

    /// <summary>Why it could not be e-mailed (the mailer gave up on it and went on); null while pending or once sent.</summary>
    public string? EmailError { get; set; }
}
