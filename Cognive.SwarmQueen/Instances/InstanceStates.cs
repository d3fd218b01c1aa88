namespace Cognive.SwarmQueen.Instances;

/// <summary>
/// The groups of instance states the queen's SQL asks for, and an instance's current state, so every statement means the
/// same by them.
/// </summary>
internal static class InstanceStates
{
    /// <summary>Registered and not given up: heartbeats count, and silence makes them dead.</summary>
    public const string Live = "('Starting', 'Idle', 'Busy', 'Unhealthy')";

    /// <summary>Live and not unhealthy: they may take tasks.</summary>
    public const string Healthy = "('Starting', 'Idle', 'Busy')";

    /// <summary>Instances <c>i</c> with <c>l.load</c>, the tasks they hold leased now.</summary>
    public const string WithLoad = """
        swarm_instances i
        CROSS JOIN LATERAL (SELECT count(*) AS load FROM swarm_tasks t WHERE t.instance_id = i.id AND t.state = 'Leased') l
        """;

    /// <summary>
    /// The state of an instance of <see cref="WithLoad"/>, idle or busy by its leases now (the stored one follows them only
    /// at heartbeats).
    /// </summary>
    public const string Current = "CASE WHEN i.state IN ('Idle', 'Busy') THEN CASE WHEN l.load > 0 THEN 'Busy' ELSE 'Idle' END ELSE i.state END";
}

