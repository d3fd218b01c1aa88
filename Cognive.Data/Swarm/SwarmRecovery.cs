namespace Cognive.Data.Swarm;

/// <summary>
/// One decision of the queen about a failed instance: what it did (or why it did nothing), and how that went; or the
/// removal of a replica its scale-up added (the instance is the scale-up's).
/// </summary>
public sealed class SwarmRecovery
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public Guid InstanceId { get; init; }

    public required string Kind { get; init; }

    public string? Host { get; init; }

    /// <summary>What was wrong: dead (silent), stalled (leases lapsed while heartbeating), not_ready (readiness probe failing).</summary>
    public required string Reason { get; init; }

    /// <summary>When the failure it answers was found; with the outcome, one record per failure for deferrals.</summary>
    public DateTimeOffset FailedAt { get; init; }

    public RecoveryAction Action { get; init; }

    public RecoveryOutcome Outcome { get; init; }

    /// <summary>The kind's attempt this was within the window (1-based); 0 when nothing was attempted.</summary>
    public int Attempt { get; init; }

    public required string Detail { get; init; }

    public DateTimeOffset DecidedAt { get; init; }
}

public enum RecoveryAction
{
    Restart,
    Recreate,
    ScaleUp,
    Failover,
    AlertOnly,
    Quarantine,

    /// <summary>A replica a scale-up added is removed after the kind's healthy period.</summary>
    ScaleDown,
}

public enum RecoveryOutcome
{
    Succeeded,
    Failed,
    RateLimited,
    CircuitOpen,

    /// <summary>Its replica or pod no longer exists: the instance is retired (it does not count as an attempt of its kind).</summary>
    Gone,

    /// <summary>
    /// The action is under way. Recorded before acting, so an attempt the queen did not live to record still counts
    /// (the next escalates instead of repeating it); the next queen marks it failed.
    /// </summary>
    Started,
}
