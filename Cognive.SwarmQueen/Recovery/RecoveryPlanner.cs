using Cognive.Data.Swarm;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// What to do about one failed instance, from its kind's recent history: an open circuit waits out its cooldown; a kind
/// out of attempts for the window opens its circuit (quarantine and alert instead of restarting forever); a team at its
/// rate of actions waits (no restart storm); otherwise the kind's policy names the action of this attempt, escalating.
/// An instance of a kind its team does not own (or of none) is only failed over: its processes are not the team's to act on.
/// </summary>
public static class RecoveryPlanner
{
    public static RecoveryDecision Decide(FailedInstance failure, KindHistory history, int teamActionsLastMinute, RecoveryOptions options)
    {
        if (history.CircuitOpenUntil is { } openUntil && openUntil > history.Now)
        {
            return new(RecoveryAction.Quarantine, RecoveryOutcome.CircuitOpen, 0,
                $"'{failure.Kind}' is quarantined until {openUntil:O}: no recovery before then");
        }

        if (history.AttemptsInWindow >= options.MaxAttempts)
        {
            return new(RecoveryAction.Quarantine, null, 0,
                $"'{failure.Kind}' failed again after {history.AttemptsInWindow} recoveries within {options.Window}: circuit opens for {options.Cooldown}");
        }

        if (!failure.Owned)
        {
            return new(RecoveryAction.Failover, null, 0, $"'{failure.Kind}' is no kind of the team's ({failure.Reason}): no process is acted on");
        }

        var policy = options.PolicyOf(failure.Kind);
        var planned = policy[Math.Min(history.AttemptsInWindow, policy.Count - 1)];
        var action = planned;
        var capped = action is RecoveryAction.ScaleUp && history.AddedReplicas >= options.MaxAddedReplicas;
        if (capped)
        {
            // Repeated failures must not ratchet the kind up: one replica added at a time, taken back after a healthy period.
            action = RecoveryAction.Recreate;
        }

        if (failure.Host is null && action is RecoveryAction.Restart or RecoveryAction.Recreate)
        {
            // Nothing to restart: the instance never said where it runs.
            action = RecoveryAction.Failover;
        }

        if (action is RecoveryAction.Failover)
        {
            var why = planned is RecoveryAction.Failover ? "its policy says" : "its instance did not say where it runs";
            return new(action, null, 0, $"'{failure.Kind}' ({failure.Reason}): failed over only, as {why}");
        }

        var attempt = history.AttemptsInWindow + 1;
        if (ActsOnProcesses(action) && teamActionsLastMinute >= options.MaxPerMinute)
        {
            return new(action, RecoveryOutcome.RateLimited, attempt,
                $"{teamActionsLastMinute} recoveries in the last minute (at most {options.MaxPerMinute}): {action} waits");
        }

        return new(action, null, attempt, $"attempt {attempt} of {options.MaxAttempts} for '{failure.Kind}' ({failure.Reason})" +
            (capped ? $"; {history.AddedReplicas} replicas added already, so no scale-up" : ""));
    }

    public static bool ActsOnProcesses(RecoveryAction action) => action is RecoveryAction.Restart or RecoveryAction.Recreate or RecoveryAction.ScaleUp;
}

/// <param name="Owned">Whether the instance's team owns its kind (never for an instance without one).</param>
public sealed record FailedInstance(Guid TeamId, Guid InstanceId, string Kind, string? Host, string Reason, DateTimeOffset FailedAt,
    string State, bool Owned);

/// <param name="AttemptsInWindow">The kind's recovery attempts within the window, since its circuit last closed (failovers are none).</param>
/// <param name="CircuitOpenUntil">The end of the kind's last circuit opening, if any.</param>
/// <param name="Now">The time it was read at (PostgreSQL's), which decisions are made at.</param>
/// <param name="AddedReplicas">Replicas recovery added to the kind and has not taken back yet.</param>
public sealed record KindHistory(int AttemptsInWindow, DateTimeOffset? CircuitOpenUntil, DateTimeOffset Now, int AddedReplicas = 0);

/// <param name="Deferral">Why nothing is done now (rate limit, open circuit); null when the action is taken.</param>
/// <param name="Attempt">The kind's attempt within the window this is (1-based); 0 for quarantine.</param>
public sealed record RecoveryDecision(RecoveryAction Action, RecoveryOutcome? Deferral, int Attempt, string Detail);
