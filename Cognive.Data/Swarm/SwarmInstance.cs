namespace Cognive.Data.Swarm;

/// <summary>A running agent process in a team's swarm, as it registered, and what the queen last heard of it.</summary>
public sealed class SwarmInstance
{
    /// <summary>Chosen by the instance, so registering again after a restart of the queen is the same instance.</summary>
    public Guid Id { get; init; }

    public Guid TeamId { get; init; }

    /// <summary>The control plane's agent this instance runs as.</summary>
    public Guid AgentId { get; set; }

    public string[] Capabilities { get; set; } = [];

    public required string Version { get; set; }

    public int MaxConcurrency { get; set; }

    public SwarmInstanceState State { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public DateTimeOffset LastHeartbeatAt { get; set; }

    public DateTimeOffset? LeftAt { get; set; }

    public int Recoveries { get; set; }

    /// <summary>The kind of agent (its deployment or AppHost resource): recovery policies and circuit breakers are per kind.</summary>
    public required string Kind { get; set; }

    /// <summary>Where it runs (the AppHost replica or the Kubernetes pod), for acting on its process; null when unknown.</summary>
    public string? Host { get; set; }

    /// <summary>Its readiness endpoint, which the queen probes; null when it has none.</summary>
    public string? ReadinessUrl { get; set; }

    /// <summary>When it was last found dead or unhealthy, and why (cleared when it registers again).</summary>
    public DateTimeOffset? FailedAt { get; set; }

    public string? FailureReason { get; set; }

    /// <summary>When the queen next decides on its recovery; null when none is due.</summary>
    public DateTimeOffset? RecoveryDueAt { get; set; }
}

public enum SwarmInstanceState
{
    Starting,
    Idle,
    Busy,
    Unhealthy,
    Dead,
    Quarantined,
    Left,
}
