using System.Diagnostics.Metrics;
using Cognive.Data.Swarm;
using Cognive.SwarmQueen.Alerts;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// Once a second, decides on each failed instance whose recovery is due (<see cref="RecoveryPlanner"/>), acts through the
/// <see cref="IRecoveryPort"/>, and records and audits the decision (an action before it is taken, then how it went);
/// then takes back one replica a scale-up added to each kind that has stayed healthy since (<see cref="RecoveryOptions.ScaleDownAfter"/>).
/// One queen at a time (a PostgreSQL advisory lock).
/// </summary>
public sealed class RecoveryCoordinator(RecoveryLedger ledger, IRecoveryPort port, SwarmAlerts alerts, NpgsqlDataSource db,
    IOptions<RecoveryOptions> settings, IMeterFactory meters, ILogger<RecoveryCoordinator> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RateLimitedRetry = TimeSpan.FromSeconds(10);
    private const long PassLock = 0x5357_4152_4D52_4543; // "SWARMREC"

    private readonly RecoveryOptions _options = settings.Value;
    private readonly Counter<long> _decisions = meters.Create("Cognive.SwarmQueen").CreateCounter<long>("cognive.swarm.recoveries");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                if (!await TryLockAsync(connection, "pg_try_advisory_lock", stoppingToken))
                {
                    continue;
                }

                try
                {
                    foreach (var failure in await ledger.DueAsync(stoppingToken))
                    {
                        await TryRecoverAsync(failure, RecoverAsync, stoppingToken);
                    }

                    foreach (var scaledUp in await ledger.ScaleDownDueAsync(_options.ScaleDownAfter, stoppingToken))
                    {
                        await TryRecoverAsync(scaledUp, ScaleDownAsync, stoppingToken);
                    }
                }
                finally
                {
                    await TryLockAsync(connection, "pg_advisory_unlock", CancellationToken.None);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Recovery pass failed, retrying");
            }
        }
    }

    /// <summary>
    /// One instance's recovery failing (a database error mid-way, a port that throws on what the instance registered) must
    /// not hold up the others': it is retried next pass.
    /// </summary>
    private async Task TryRecoverAsync(FailedInstance failure, Func<FailedInstance, CancellationToken, Task> recover, CancellationToken ct)
    {
        try
        {
            await recover(failure, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Recovery of instance {InstanceId} failed, retrying", failure.InstanceId);
        }
    }

    private async Task RecoverAsync(FailedInstance failure, CancellationToken ct)
    {
        await ledger.AbandonStartedAsync(failure.InstanceId, ct);
        var history = await ledger.HistoryAsync(failure.TeamId, failure.Kind, _options.Window, ct);
        var now = history.Now;
        var decision = RecoveryPlanner.Decide(failure, history, await ledger.ActionsLastMinuteAsync(failure.TeamId, ct), _options);
        switch (decision)
        {
            case { Deferral: RecoveryOutcome.CircuitOpen }:
                await RecordAsync(failure, decision, RecoveryOutcome.CircuitOpen, decision.Detail, history.CircuitOpenUntil, null, null, ct);
                break;
            case { Deferral: RecoveryOutcome.RateLimited }:
                await RecordAsync(failure, decision, RecoveryOutcome.RateLimited, decision.Detail, now + RateLimitedRetry, null,
                    await MassFailureAsync(failure, ct), ct);
                break;
            case { Action: RecoveryAction.Quarantine }:
                await RecordAsync(failure, decision, RecoveryOutcome.Succeeded, decision.Detail, now + _options.Cooldown, _options.Cooldown,
                    new SwarmAlertDraft("circuit_open", failure.Kind, decision.Detail, TimeSpan.Zero), ct);
                break;
            case { Action: RecoveryAction.AlertOnly or RecoveryAction.Failover }:
                await RecordAsync(failure, decision, RecoveryOutcome.Succeeded, $"{decision.Detail}: {Describe(decision.Action)}", null, null,
                    decision.Action is RecoveryAction.AlertOnly
                        ? new SwarmAlertDraft("instance_failed", failure.Kind, $"instance {failure.InstanceId} is {failure.Reason}", TimeSpan.Zero)
                        : null, ct);
                break;
            default:
                var started = await ledger.StartAsync(failure, decision, now + _options.Verify, ct);
                var result = await ActAsync(decision.Action, new RecoveryTarget(failure.Kind, failure.Host), ct);
                // A replacement (scale-up) or a process that no longer exists ends this instance's story; after a restart it
                // has a while to come back, or the next attempt escalates.
                var ended = result.Gone || (result.Succeeded && decision.Action is RecoveryAction.ScaleUp);
                var outcome = OutcomeOf(result);
                var detail = $"{decision.Detail}: {result.Detail}";
                await ledger.FinishAsync(started, failure, decision, outcome, detail, ended ? null : now + _options.Verify, ct);
                Report(failure, decision, outcome, detail);
                break;
        }
    }

    /// <summary>Removes the replica a scale-up added; found none to remove (a rollout or a new AppHost run took it), it is settled too.</summary>
    private async Task ScaleDownAsync(FailedInstance scaledUp, CancellationToken ct)
    {
        var result = await port.ScaleDownAsync(new RecoveryTarget(scaledUp.Kind, null), ct);
        var decision = new RecoveryDecision(RecoveryAction.ScaleDown, null, 0,
            $"'{scaledUp.Kind}' has had no failure for {_options.ScaleDownAfter}: the replica recovery added goes");
        var outcome = OutcomeOf(result);
        var detail = $"{decision.Detail}: {result.Detail}";
        await ledger.RecordScaleDownAsync(scaledUp, decision, outcome, detail, ct);
        Report(scaledUp, decision, outcome, detail);
    }

    private static RecoveryOutcome OutcomeOf(PortResult result) => result switch
    {
        { Gone: true } => RecoveryOutcome.Gone,
        { Succeeded: true } => RecoveryOutcome.Succeeded,
        _ => RecoveryOutcome.Failed,
    };

    private Task<PortResult> ActAsync(RecoveryAction action, RecoveryTarget target, CancellationToken ct) => action switch
    {
        RecoveryAction.Restart => port.RestartAsync(target, ct),
        RecoveryAction.Recreate => port.RecreateAsync(target, ct),
        _ => port.ScaleUpAsync(target, ct),
    };

    private async Task RecordAsync(FailedInstance failure, RecoveryDecision decision, RecoveryOutcome outcome, string detail,
        DateTimeOffset? nextDueAt, TimeSpan? circuitCooldown, SwarmAlertDraft? alert, CancellationToken ct)
    {
        var raised = await ledger.RecordAsync(failure, decision, outcome, detail, nextDueAt, circuitCooldown, alert, ct);
        Report(failure, decision, outcome, detail);
        if (raised)
        {
            await alerts.AnnounceAsync(failure.TeamId, alert!);
        }
    }

    private void Report(FailedInstance failure, RecoveryDecision decision, RecoveryOutcome outcome, string detail)
    {
        _decisions.Add(1, new("action", RecoveryLedger.Snake(decision.Action.ToString())), new("outcome", RecoveryLedger.Snake(outcome.ToString())));
        logger.LogInformation("Recovery of instance {InstanceId} ({Kind}, {Reason}): {Action} {Outcome}: {Detail}",
            failure.InstanceId, failure.Kind, failure.Reason, decision.Action, outcome, detail);
    }

    /// <summary>
    /// The mass-failure alert (at most one per team every five minutes) when enough of the team's instances failed
    /// within the minute.
    /// </summary>
    private async Task<SwarmAlertDraft?> MassFailureAsync(FailedInstance failure, CancellationToken ct)
    {
        var (failed, total) = await ledger.RecentFailuresAsync(failure.TeamId, ct);
        return failed >= 2 && failed >= total * _options.MassFailureShare
            ? new SwarmAlertDraft("mass_failure", "*",
                $"{failed} of {total} instances failed within a minute: recoveries limited to {_options.MaxPerMinute} a minute",
                TimeSpan.FromMinutes(5))
            : null;
    }

    private static string Describe(RecoveryAction action) => action is RecoveryAction.Failover
        ? "its tasks go to other instances; the process is left alone"
        : "alert raised; nothing else done";

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, string function, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}($1)", connection);
        command.Parameters.Add(new() { Value = PassLock });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}
