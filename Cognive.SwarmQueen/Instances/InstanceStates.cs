namespace Cognive.SwarmQueen.Instances;

/// <summary>The groups of instance states the queen's SQL asks for, as SQL lists, so every statement means the same by them.</summary>
internal static class InstanceStates
{
    /// <summary>Registered and not given up: heartbeats count, and silence makes them dead.</summary>
    public const string Live = "('Starting', 'Idle', 'Busy', 'Unhealthy')";

    /// <summary>Live and not unhealthy: they may take tasks.</summary>
    public const string Healthy = "('Starting', 'Idle', 'Busy')";
}
