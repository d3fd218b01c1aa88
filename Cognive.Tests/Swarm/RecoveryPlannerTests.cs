using Cognive.Data.Swarm;
using Cognive.SwarmQueen.Recovery;

namespace Cognive.Tests.Swarm;

/// <summary>The recovery decision alone: escalation, the per-kind circuit, the team-wide rate limit, policies per kind.</summary>
public sealed class RecoveryPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly RecoveryOptions Options = new() { Policies = { ["watched"] = "AlertOnly", ["stateless"] = "Failover" } };

    [Theory]
    [InlineData(0, RecoveryAction.Restart, 1)]
    [InlineData(1, RecoveryAction.Recreate, 2)]
    [InlineData(2, RecoveryAction.ScaleUp, 3)]
    public void Each_attempt_within_the_window_escalates(int attemptsBefore, RecoveryAction expected, int attempt)
    {
        var decision = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(attemptsBefore, null, Now), 0, Options);

        Assert.Equal((expected, (RecoveryOutcome?)null, attempt), (decision.Action, decision.Deferral, decision.Attempt));
    }

    [Fact]
    public void A_failure_after_the_last_attempt_opens_the_circuit_even_at_the_rate_limit()
    {
        var decision = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(3, null, Now), 99, Options);

        Assert.Equal((RecoveryAction.Quarantine, (RecoveryOutcome?)null), (decision.Action, decision.Deferral));
    }

    [Fact]
    public void An_open_circuit_defers_everything_until_it_closes_then_attempts_start_again()
    {
        var open = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(0, Now.AddSeconds(1), Now), 0, Options);
        var closed = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(0, Now, Now), 0, Options);

        Assert.Equal((RecoveryAction.Quarantine, RecoveryOutcome.CircuitOpen), (open.Action, open.Deferral));
        Assert.Equal((RecoveryAction.Restart, (RecoveryOutcome?)null), (closed.Action, closed.Deferral));
    }

    [Fact]
    public void Process_actions_wait_at_the_teams_rate_limit_but_alerts_and_failovers_do_not()
    {
        var restart = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(0, null, Now), Options.MaxPerMinute, Options);
        var alert = RecoveryPlanner.Decide(Failure("watched"), new KindHistory(0, null, Now), Options.MaxPerMinute, Options);
        var failover = RecoveryPlanner.Decide(Failure("stateless"), new KindHistory(0, null, Now), Options.MaxPerMinute, Options);
        var belowLimit = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(0, null, Now), Options.MaxPerMinute - 1, Options);

        Assert.Equal(RecoveryOutcome.RateLimited, restart.Deferral);
        Assert.Equal((RecoveryAction.AlertOnly, (RecoveryOutcome?)null), (alert.Action, alert.Deferral));
        Assert.Equal((RecoveryAction.Failover, (RecoveryOutcome?)null), (failover.Action, failover.Deferral));
        Assert.Null(belowLimit.Deferral);
    }

    [Fact]
    public void A_policy_repeats_its_last_action_and_an_instance_without_a_host_fails_over_instead_of_restarting()
    {
        var patient = new RecoveryOptions { MaxAttempts = 10 };
        var repeated = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(5, null, Now), 0, patient);
        var nowhere = RecoveryPlanner.Decide(Failure("agents") with { Host = null }, new KindHistory(0, null, Now), 0, Options);
        var scaleUpNowhere = RecoveryPlanner.Decide(Failure("agents") with { Host = null }, new KindHistory(2, null, Now), 0, Options);

        Assert.Equal(RecoveryAction.ScaleUp, repeated.Action);
        Assert.Equal((RecoveryAction.Failover, 0), (nowhere.Action, nowhere.Attempt));
        Assert.Equal(RecoveryAction.ScaleUp, scaleUpNowhere.Action);
    }

    [Fact]
    public void An_instance_of_a_kind_its_team_does_not_own_is_only_failed_over_whatever_its_history()
    {
        foreach (var attempts in new[] { 0, 1, 2 })
        {
            var decision = RecoveryPlanner.Decide(Failure("agents") with { Owned = false }, new KindHistory(attempts, null, Now), 0, Options);

            Assert.Equal((RecoveryAction.Failover, (RecoveryOutcome?)null, 0), (decision.Action, decision.Deferral, decision.Attempt));
        }
    }

    [Fact]
    public void With_a_replica_already_added_a_scale_up_recreates_instead_so_failures_cannot_ratchet_the_kind_up()
    {
        var first = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(2, null, Now, AddedReplicas: 0), 0, Options);
        var capped = RecoveryPlanner.Decide(Failure("agents"), new KindHistory(2, null, Now, AddedReplicas: 1), 0, Options);
        var cappedNowhere = RecoveryPlanner.Decide(Failure("agents") with { Host = null }, new KindHistory(2, null, Now, AddedReplicas: 1), 0, Options);

        Assert.Equal(RecoveryAction.ScaleUp, first.Action);
        Assert.Equal((RecoveryAction.Recreate, 3), (capped.Action, capped.Attempt));
        Assert.Equal(RecoveryAction.Failover, cappedNowhere.Action);
    }

    [Theory]
    [InlineData("Restart, Recreate, ScaleUp", true)]
    [InlineData("Failover", true)]
    [InlineData("AlertOnly", true)]
    [InlineData("Failover, ScaleUp", false)]
    [InlineData("Restart, Failover", false)]
    [InlineData("ScaleDown", false)]
    public void A_failover_is_a_policy_alone_never_a_step_toward_a_scale_up(string policy, bool valid) =>
        Assert.Equal(valid, RecoveryOptions.TryParsePolicy(policy, out _));

    private static FailedInstance Failure(string kind) =>
        new(Guid.NewGuid(), Guid.NewGuid(), kind, $"{kind}-abc", "dead", Now.AddSeconds(-20), "Dead", Owned: true);
}
