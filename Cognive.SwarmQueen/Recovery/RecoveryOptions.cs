using Cognive.Data.Swarm;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>How the queen recovers failed instances (<c>Cognive:Swarm:Recovery</c>); times in seconds.</summary>
public sealed class RecoveryOptions
{
    public const string Section = "Cognive:Swarm:Recovery";

    /// <summary>How long a dead or unhealthy instance may come back by itself before the queen acts on it.</summary>
    public int GraceSeconds { get; set; } = 15;

    /// <summary>After an action, how long the instance has to be back before the queen tries again (escalating).</summary>
    public int VerifySeconds { get; set; } = 60;

    /// <summary>The window over which a kind's attempts are counted.</summary>
    public int WindowSeconds { get; set; } = 600;

    /// <summary>Attempts per kind within the window; one more failure opens the kind's circuit (quarantine + alert).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How long an open circuit keeps a kind quarantined.</summary>
    public int CooldownSeconds { get; set; } = 300;

    /// <summary>Actions per team per minute, whatever fails: a mass failure is answered slowly, not with a restart storm.</summary>
    public int MaxPerMinute { get; set; } = 3;

    /// <summary>The share of a team's instances failing at once that is reported as a mass failure.</summary>
    public double MassFailureShare { get; set; } = 0.3;

    /// <summary>
    /// A replica recovery added is removed once the kind has gone this long without a failure (nor a recovery, nor an
    /// open circuit); then the next after as long again.
    /// </summary>
    public int ScaleDownAfterSeconds { get; set; } = 600;

    /// <summary>At most this many replicas added by recovery per kind at once; at the cap a scale-up recreates instead.</summary>
    public int MaxAddedReplicas { get; set; } = 1;

    /// <summary>
    /// Each kind's policy: the actions of its successive attempts within a window, e.g. <c>Restart,Recreate,ScaleUp</c>
    /// (the default), or alone <c>Failover</c> (move its tasks, leave the process alone) or <c>AlertOnly</c>. A failover
    /// is no attempt: it never moves a kind toward a scale-up.
    /// </summary>
    public Dictionary<string, string> Policies { get; set; } = [];

    public static readonly RecoveryAction[] DefaultPolicy = [RecoveryAction.Restart, RecoveryAction.Recreate, RecoveryAction.ScaleUp];

    /// <summary>A kind's policy; the settings were checked at start (<see cref="TryParsePolicy"/>).</summary>
    public IReadOnlyList<RecoveryAction> PolicyOf(string kind) =>
        Policies.TryGetValue(kind, out var text) && TryParsePolicy(text, out var actions) ? actions : DefaultPolicy;

    /// <summary>
    /// A comma-separated list of process actions (Restart, Recreate, ScaleUp), or Failover or AlertOnly alone: a failover
    /// does not count as an attempt, so nothing after one in a list would ever be reached.
    /// </summary>
    public static bool TryParsePolicy(string text, out RecoveryAction[] actions)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        actions = names.Select(name => Enum.TryParse<RecoveryAction>(name, ignoreCase: true, out var action) ? action : RecoveryAction.Quarantine)
            .ToArray();
        return actions is [RecoveryAction.Failover or RecoveryAction.AlertOnly] ||
            (actions.Length > 0 && actions.All(RecoveryPlanner.ActsOnProcesses));
    }

    public TimeSpan Grace => TimeSpan.FromSeconds(GraceSeconds);

    public TimeSpan Verify => TimeSpan.FromSeconds(VerifySeconds);

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);

    public TimeSpan Cooldown => TimeSpan.FromSeconds(CooldownSeconds);

    public TimeSpan ScaleDownAfter => TimeSpan.FromSeconds(ScaleDownAfterSeconds);
}
