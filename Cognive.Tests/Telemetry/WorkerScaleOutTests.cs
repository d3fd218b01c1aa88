using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Data.Budgets;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>Workers scale out by replicas: competing consumers of one queue still store each event once and alert once.</summary>
[Collection(BootsOwnAppHost.Name)]
public sealed class WorkerScaleOutTests(ThreeWorkerReplicas replicas) : IClassFixture<ThreeWorkerReplicas>
{
    private const int Batches = 24;
    private const int BatchSize = 100;

    [Fact]
    public async Task Three_worker_replicas_under_load_store_every_event_once_and_fire_each_threshold_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = replicas.App;
        using var team = await TeamSession.CreateAsync(app, ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        // gpt-4o-mini, 1,000 in + 200 out: 0.00027 USD a call; 2,400 calls (0.648 USD) cross 80, 90 and 100 % of 0.5 USD,
        // each crossing decided by whichever replica holds the batch that crosses it.
        using var created = await team.Client.PostAsJsonAsync("/api/v1/budgets",
            new { name = "scale-out", amount_usd = 0.5m, period = "monthly", mode = "soft" }, ct);
        var budgetId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();
        var ids = Enumerable.Range(0, Batches * BatchSize).Select(_ => Guid.NewGuid()).ToList();
        var batches = ids.Chunk(BatchSize).Select(chunk => chunk.Select(id => TeamSession.Call(eventId: id, runId: runId)).ToList()).ToList();

        // Every batch at once, then every batch again: the second copies reach other replicas than the first.
        var sent = await Task.WhenAll(batches.Concat(batches).Select(batch => team.PostBatchAsync(batch, ct)));
        var teamId = await team.TeamIdAsync(ct);
        await using var store = await PipelineStore.OpenAsync(app, ct);
        await team.WaitForRunCallsAsync(runId, ids.Count, ct);
        JsonElement alerts = default;
        await Eventually.HoldsAsync(async () =>
        {
            alerts = (await team.GetJsonAsync($"/api/v1/alerts?budget_id={budgetId}", ct)).GetProperty("items");
            return alerts.GetArrayLength() >= 3;
        }, "three threshold alerts", ct, TimeSpan.FromMinutes(2));
        await store.WaitForBudgetSpendAsync(budgetId, BudgetPeriod.Monthly, ids.Count * 0.00027m, ct);

        Assert.Equal(ThreeWorkerReplicas.Replicas, app.ServiceProcessIds("workers").Count);
        Assert.All(sent, response => Assert.Equal(HttpStatusCode.Accepted, response.StatusCode));
        Assert.Equal(ids.Count, await store.CountCallsAsync(teamId, ct));
        Assert.Equal(ids.ToHashSet(), await store.EventIdsAsync(teamId, ct));
        Assert.All(await store.ConsistencyAsync(teamId, ct), total => Assert.True(total.Raw == total.Derived,
            $"{total.What}: {total.Derived} derived, {total.Raw} stored"));
        Assert.Equal(ids.Count, (await team.GetJsonAsync($"/api/v1/runs/{runId}", ct)).GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal([80, 90, 100], alerts.EnumerateArray().Select(a => a.GetProperty("threshold").GetInt32()).Order());
        foreach (var response in sent)
        {
            response.Dispose();
        }
    }
}
