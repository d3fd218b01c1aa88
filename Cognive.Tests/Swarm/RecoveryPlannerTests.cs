using Cognive.Data.Swarm;
using Cognive.SwarmQueen.Recovery;

namespace Cognive.Tests.Swarm;

/// <summary>The recovery decision alone: escalation, the per-kind circuit, the team-wide rate limit, policies per kind.</summary>
public sealed class RecoveryPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly RecoveryOptions Options = new() { Policies = { ["watched"] = "AlertOnly", ["stateless"] = "Failover, ScaleUp" } };

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
        var stateless = RecoveryPlanner.Decide(Failure("stateless"), new KindHistory(2, null, Now), 0, Options);
        var nowhere = RecoveryPlanner.Decide(Failure("agents") with { Host = null }, new KindHistory(0, null, Now), 0, Options);
        var scaleUpNowhere = RecoveryPlanner.Decide(Failure("agents") with { Host = null }, new KindHistory(2, null, Now), 0, Options);

        Assert.Equal(RecoveryAction.ScaleUp, stateless.Action);
        Assert.Equal(RecoveryAction.Failover, nowhere.Action);
        Assert.Equal(RecoveryAction.ScaleUp, scaleUpNowhere.Action);
    }

    private static FailedInstance Failure(string kind) =>
        new(Guid.NewGuid(), Guid.NewGuid(), kind, $"{kind}-abc", "dead", Now.AddSeconds(-20), "Dead");
}
