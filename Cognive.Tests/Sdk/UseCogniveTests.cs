using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Cognive.Client;
using Cognive.Client.Api;
using Cognive.Client.Chat;
using Cognive.Client.Hosting;
using Cognive.Client.Reporting;
using Cognive.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace Cognive.Tests.Sdk;

/// <summary>
/// A stand-in model wrapped with <c>UseCognive</c>, against the real app: calls are checked, reported in the background,
/// stored and priced; refusals throw before the model is called.
/// </summary>
[Collection(StopsSharedResources.Name)]
public sealed class UseCogniveTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_runs_calls_and_tokens_cached_included_arrive_and_are_priced()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sdk = await SdkAsync(ct);
        var model = new StandInModel();
        using var chat = model.AsBuilder().UseCognive(sdk.Cognive).Build();
        var agent = await sdk.Cognive.Api.RegisterAgentAsync(new RegisterAgent("sdk-agent", "tests"), ct);

        Guid runId;
        using (var run = await sdk.Cognive.StartRunAsync(agent.AgentId, ct: ct))
        {
            runId = run.RunId;
            for (var i = 0; i < 3; i++)
            {
                await chat.GetResponseAsync("Summarise the week.", cancellationToken: ct);
            }
        }

        Assert.True(await sdk.Cognive.FlushAsync(TimeSpan.FromSeconds(30), ct));
        var stored = await StoredRunAsync(sdk.Cognive, runId, 3, ct);
        var calls = (await sdk.Cognive.Api.ListCallsAsync(runId, ct: ct)).Items;

        Assert.Equal("succeeded", stored.Status);
        Assert.Equal((3L, 3000L, 600L, 1200L, 0L, 0L), (stored.Totals.Calls, stored.Totals.InputTokens, stored.Totals.OutputTokens,
            stored.Totals.CachedInputTokens, stored.Totals.UnpricedCalls, stored.Totals.Errors));
        Assert.True(stored.Totals.Cost > 0, "the calls are priced");
        Assert.All(calls, c => Assert.Equal(("openai", "gpt-4o-mini", "success", true), (c.Provider, c.Model, c.Status, c.Priced)));
        Assert.Equal(3, model.Calls);
        Assert.Equal(0, sdk.Cognive.Reporter.Statistics.Dropped + sdk.Cognive.Reporter.Statistics.Rejected);
    }

    [Fact]
    public async Task A_spent_hard_budget_stops_the_call_before_the_model_with_the_typed_exception()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sdk = await SdkAsync(ct);
        var model = new StandInModel();
        using var chat = model.AsBuilder().UseCognive(sdk.Cognive).Build();
        var agent = await sdk.Cognive.Api.RegisterAgentAsync(new RegisterAgent("budgeted", "tests"), ct);
        await PostAsync(sdk, "/api/v1/budgets", new { name = "tiny", agent_id = agent.AgentId, amount_usd = 0.000001m, period = "daily" }, ct);
        using var run = await sdk.Cognive.StartRunAsync(agent.AgentId, ct: ct);

        var refused = await Assert.ThrowsAsync<CogniveBudgetExceededException>(() => chat.GetResponseAsync("Plan the quarter.", cancellationToken: ct));

        Assert.Equal(0, model.Calls);
        Assert.Equal(0.000001m, refused.Limit);
        Assert.True(refused.ResetsAt > DateTimeOffset.UtcNow, $"a daily budget resets tomorrow: {refused.ResetsAt}");
        Assert.Equal(ProblemTypes.BudgetExceeded, refused.Type);
    }

    [Fact]
    public async Task A_policy_violation_stops_the_call_before_the_model_naming_the_rule()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sdk = await SdkAsync(ct);
        var model = new StandInModel(model: "gpt-4o-mini");
        using var chat = model.AsBuilder().UseCognive(sdk.Cognive).Build();
        var agent = await sdk.Cognive.Api.RegisterAgentAsync(new RegisterAgent("governed", "tests"), ct);
        await PostAsync(sdk, "/api/v1/policies", new { name = "big models only", agent_id = agent.AgentId, allowed_models = new[] { "gpt-4o" } }, ct);
        using var run = await sdk.Cognive.StartRunAsync(agent.AgentId, ct: ct);

        var refused = await Assert.ThrowsAsync<CognivePolicyViolationException>(() => chat.GetResponseAsync("Plan.", cancellationToken: ct));

        Assert.Equal(0, model.Calls);
        Assert.Equal(("big models only", "allowed_models"), (refused.Policy, refused.Rule));
        Assert.Equal("big models only", Assert.Single(await sdk.Cognive.Api.ListPoliciesAsync(ct)).Name);
    }

    [Fact]
    public async Task A_streamed_calls_usage_comes_from_the_final_update_and_a_cancelled_stream_is_reported_with_what_was_seen()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var sdk = await SdkAsync(ct);
        using var chat = new StandInModel().AsBuilder().UseCognive(sdk.Cognive).Build();
        using var hanging = new StandInModel { HangAfterFirstUpdate = true }.AsBuilder().UseCognive(sdk.Cognive).Build();
        var agent = await sdk.Cognive.Api.RegisterAgentAsync(new RegisterAgent("streamer", "tests"), ct);

        Guid runId;
        using (var run = await sdk.Cognive.StartRunAsync(agent.AgentId, ct: ct))
        {
            runId = run.RunId;
            var text = "";
            await foreach (var update in chat.GetStreamingResponseAsync("Stream it.", cancellationToken: ct))
            {
                text += update.Text;
            }

            Assert.Equal("Hello, world.", text);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in hanging.GetStreamingResponseAsync("Stream it.", cancellationToken: stop.Token))
                {
                    await stop.CancelAsync();
                }
            });
        }

        Assert.True(await sdk.Cognive.FlushAsync(TimeSpan.FromSeconds(30), ct));
        await StoredRunAsync(sdk.Cognive, runId, 2, ct);
        var calls = (await sdk.Cognive.Api.ListCallsAsync(runId, ct: ct)).Items;
        var whole = Assert.Single(calls, c => c.Status == "success");
        var cut = Assert.Single(calls, c => c.Status == "error");

        Assert.Equal((1000L, 200L, 400L), (whole.InputTokens, whole.OutputTokens, whole.CachedInputTokens));
        // No usage came before the cancellation: the prompt and the text seen, estimated at 4 characters a token.
        Assert.Equal((TokenEstimate.Of("Stream it.".Length), TokenEstimate.Of(StandInModel.FirstUpdate.Length), 0L),
            (cut.InputTokens, cut.OutputTokens, cut.CachedInputTokens));
        Assert.True(cut.Metadata?.GetProperty("incomplete").GetBoolean());
    }

    [Fact]
    public async Task Every_call_arrives_exactly_once_when_the_api_stops_mid_run_and_starts_again()
    {
        var ct = TestContext.Current.CancellationToken;
        // DCP's proxy holds connections to a stopped API open without answering: sends time out after 2 s and are retried.
        await using var sdk = await SdkAsync(ct, options =>
            (options.RetryMaxDelay, options.RequestTimeout, options.FlushTimeout) = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60)));
        using var chat = new StandInModel().AsBuilder().UseCognive(sdk.Cognive, options => options.CheckBudget = false).Build();
        var agent = await sdk.Cognive.Api.RegisterAgentAsync(new RegisterAgent("outlasting", "tests"), ct);

        Guid runId;
        using (var run = await sdk.Cognive.StartRunAsync(agent.AgentId, ct: ct))
        {
            runId = run.RunId;
            await CallAsync(chat, 40, ct);
            // The class runs alone (StopsSharedResources), so stopping the shared API disturbs no other test; it is
            // started again whatever happens here.
            try
            {
                await _app.StopResourceAsync("api", ct);
                await CallAsync(chat, 40, ct);
                await Eventually.HoldsAsync(() => Task.FromResult(sdk.Cognive.Reporter.Statistics.Retries > 0), "a send failed and is retried", ct);
            }
            finally
            {
                await _app.StartResourceAsync("api", CancellationToken.None);
            }
        }

        Assert.True(await sdk.Cognive.FlushAsync(TimeSpan.FromSeconds(60), ct));
        var stored = await StoredRunAsync(sdk.Cognive, runId, 80, ct);
        var calls = (await sdk.Cognive.Api.ListCallsAsync(runId, limit: 1000, ct: ct)).Items;
        var statistics = sdk.Cognive.Reporter.Statistics;

        Assert.Equal("succeeded", stored.Status);
        Assert.Equal(80, calls.Select(c => c.EventId).Distinct().Count());
        Assert.Equal(80, calls.Count);
        Assert.Equal((80L, 0L, 0L, 0L), (statistics.Sent, statistics.Dropped, statistics.Rejected, statistics.Lost));
    }

    [Fact]
    public async Task A_full_queue_drops_the_oldest_counted_and_metered_and_everything_else_arrives()
    {
        var ct = TestContext.Current.CancellationToken;
        long metered = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "cognive.client.reports.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref metered, value));
        listener.Start();
        await using var sdk = await SdkAsync(ct, options => (options.QueueCapacity, options.BatchSize) = (10, 10));
        using var chat = new StandInModel().AsBuilder().UseCognive(sdk.Cognive, options => options.CheckBudget = false).Build();
        var agent = await sdk.Cognive.Api.RegisterAgentAsync(new RegisterAgent("flooding", "tests"), ct);

        Guid runId;
        using (var run = await sdk.Cognive.StartRunAsync(agent.AgentId, ct: ct))
        {
            runId = run.RunId;
            await CallAsync(chat, 5000, ct);
        }

        Assert.True(await sdk.Cognive.FlushAsync(TimeSpan.FromSeconds(60), ct));
        var statistics = sdk.Cognive.Reporter.Statistics;
        var stored = await StoredRunAsync(sdk.Cognive, runId, statistics.Sent, ct);

        Assert.True(statistics.Dropped > 0, "5,000 calls at once overflow a queue of 10");
        Assert.Equal(5000 + 1, statistics.Queued);
        Assert.Equal(5000, statistics.Sent + statistics.Dropped);
        Assert.Equal(statistics.Dropped, Interlocked.Read(ref metered));
        Assert.Equal("succeeded", stored.Status);
    }

    [Fact]
    public async Task Disposal_sends_what_is_queued()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Tenants.CreateTeamAsync(_app, ct);
        Guid runId;
        CallReporter reporter;
        // A deadline generous for a loaded machine: what is measured is that disposal sends, not how fast.
        await using (var sdk = new SdkServices(Endpoint, key, options => options.FlushTimeout = TimeSpan.FromSeconds(60)))
        {
            reporter = sdk.Cognive.Reporter;
            using var chat = new StandInModel().AsBuilder().UseCognive(sdk.Cognive, options => options.CheckBudget = false).Build();
            var agent = await sdk.Cognive.Api.RegisterAgentAsync(new RegisterAgent("leaving", "tests"), ct);
            using var run = await sdk.Cognive.StartRunAsync(agent.AgentId, ct: ct);
            runId = run.RunId;
            await CallAsync(chat, 300, ct);
        }

        Assert.True(reporter.Statistics is { Sent: 300, Lost: 0, Dropped: 0, Rejected: 0 }, $"{reporter.Statistics}");
        await using var reader = new SdkServices(Endpoint, key);
        var stored = await StoredRunAsync(reader.Cognive, runId, 300, ct);
        Assert.Equal("succeeded", stored.Status);
    }

    private Uri Endpoint => _app.CreateHttpClient("api").BaseAddress!;

    private async Task<SdkServices> SdkAsync(CancellationToken ct, Action<CogniveClientOptions>? configure = null) =>
        new(Endpoint, await Tenants.CreateTeamAsync(_app, ct), configure);

    private static async Task CallAsync(IChatClient chat, int calls, CancellationToken ct)
    {
        for (var i = 0; i < calls; i++)
        {
            await chat.GetResponseAsync("Once more.", cancellationToken: ct);
        }
    }

    /// <summary>The run once its calls are stored (and it has ended).</summary>
    private static async Task<Run> StoredRunAsync(CogniveClient cognive, Guid runId, long calls, CancellationToken ct)
    {
        Run? run = null;
        await Eventually.HoldsAsync(async () =>
        {
            run = await cognive.Api.GetRunAsync(runId, ct);
            return run.Totals.Calls >= calls && run.EndedAt is not null;
        }, $"{calls} calls of run {runId} are stored: {run?.Totals}", ct);
        return run!;
    }

    private static async Task PostAsync(SdkServices sdk, string path, object body, CancellationToken ct)
    {
        using var http = sdk.Http();
        using var response = await http.PostAsJsonAsync(path, body, ct);
        response.EnsureSuccessStatusCode();
    }
}
