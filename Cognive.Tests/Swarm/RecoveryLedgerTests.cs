using System.Text.Json;
using Cognive.Data.Swarm;
using Cognive.Data.Audit;
using Cognive.SwarmQueen.Recovery;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Swarm;

/// <summary>The recovery ledger in PostgreSQL when the queen dies between starting an action and recording how it went.</summary>
public sealed class RecoveryLedgerTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task An_action_the_queen_did_not_live_to_record_counts_as_an_attempt_and_the_next_queen_marks_it_failed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var teamId = await swarm.Team.TeamIdAsync(ct);
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        // The ledger runs here as in the queen, sealing its audit records with the app's audit key.
        var ledger = new RecoveryLedger(db, new AuditSealer(await AuditKeys.OfAsync(_app, ct), TimeProvider.System));
        var options = new RecoveryOptions();
        // An instance the shared app's queen knows nothing of, so only this test decides about it.
        var failure = new FailedInstance(teamId, Guid.NewGuid(), $"kind-{Guid.NewGuid():N}", "replica-1", "dead", DateTimeOffset.UtcNow, "Dead",
            Owned: true);

        var before = await ledger.HistoryAsync(teamId, failure.Kind, options.Window, ct);
        var first = RecoveryPlanner.Decide(failure, before, await ledger.ActionsLastMinuteAsync(teamId, ct), options);
        await ledger.StartAsync(failure, first, before.Now + options.Verify, ct);
        // ...and the queen dies here, before acting or recording.
        var after = await ledger.HistoryAsync(teamId, failure.Kind, options.Window, ct);
        var next = RecoveryPlanner.Decide(failure, after, await ledger.ActionsLastMinuteAsync(teamId, ct), options);
        var whileUnderWay = await RecoveryAsync(swarm, failure.InstanceId, ct);
        await ledger.AbandonStartedAsync(failure.InstanceId, ct);
        var abandoned = await RecoveryAsync(swarm, failure.InstanceId, ct);

        Assert.Equal((RecoveryAction.Restart, 1), (first.Action, first.Attempt));
        Assert.Equal(1, after.AttemptsInWindow);
        Assert.Equal((RecoveryAction.Recreate, 2), (next.Action, next.Attempt));
        Assert.Equal(("restart", "started"), (whileUnderWay.GetProperty("action").GetString(), whileUnderWay.GetProperty("outcome").GetString()));
        Assert.Equal("failed", abandoned.GetProperty("outcome").GetString());
        Assert.Contains("the queen stopped before recording the result", abandoned.GetProperty("detail").GetString());
    }

    private static async Task<JsonElement> RecoveryAsync(SwarmSession swarm, Guid instanceId, CancellationToken ct)
    {
        using var response = await swarm.Queen.GetAsync("/api/v1/swarm/recoveries", ct);
        return (await TeamSession.ReadAsync(response, ct)).EnumerateArray().Single(r => r.GetProperty("instance_id").GetGuid() == instanceId);
    }
}
