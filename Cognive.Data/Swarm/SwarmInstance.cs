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
