using Cognive.Data.Budgets;
using Cognive.Governance.Budgets;
using Cognive.Tests.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.Tests.Governance;

/// <summary>The ledger's holds on the real Redis: one release, whether the call is stored (settled) or the hold lapses.</summary>
public sealed class BudgetLedgerTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_hold_is_released_once_when_its_call_is_stored_or_when_it_lapses_and_only_by_its_own_team()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await _app.GetConnectionStringAsync("redis", ct));
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var ledger = new BudgetLedger(redis, db, time);
        // A team with no stored calls: its spend rebuilds from PostgreSQL as 0.
        var teamId = Guid.NewGuid();
        BudgetView[] budget = [new(Guid.NewGuid(), teamId, null, "ledger", 1.0m, BudgetPeriod.Total, BudgetMode.Hard, [100])];

        var first = await ledger.ReserveAsync(budget, 0.6m, ct);
        var full = await ledger.ReserveAsync(budget, 0.6m, ct);
        Assert.True(first.Allowed);
        Assert.False(full.Allowed);
        Assert.Equal((0m, 0.6m), (full.Spent, full.Reserved));

        await ledger.SettleAsync(Guid.NewGuid(), first.Id!.Value);
        Assert.False((await ledger.ReserveAsync(budget, 0.6m, ct)).Allowed);

        await ledger.SettleAsync(teamId, first.Id.Value);
        var second = await ledger.ReserveAsync(budget, 0.6m, ct);
        Assert.True(second.Allowed);
        await ledger.SettleAsync(teamId, first.Id.Value);
        Assert.Equal(0.6m, (await ledger.HeldAsync(budget))[budget[0].Id]);

        time.Now += BudgetLedger.HoldLifetime + TimeSpan.FromSeconds(1);
        Assert.Equal(0m, (await ledger.HeldAsync(budget))[budget[0].Id]);
        Assert.True((await ledger.ReserveAsync(budget, 0.6m, ct)).Allowed);
        Assert.Equal(0.6m, (await ledger.HeldAsync(budget))[budget[0].Id]);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
