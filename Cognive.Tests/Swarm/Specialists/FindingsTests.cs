using System.Text.Json;
using Cognive.Agents.Specialists;

namespace Cognive.Tests.Swarm.Specialists;

/// <summary>What the specialists find, as pure logic over the figures the API gives them.</summary>
public sealed class FindingsTests
{
    private static readonly DateOnly Today = new(2026, 11, 25);
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_day_above_its_baseline_mean_plus_k_deviations_is_a_spike_and_ordinary_days_are_not()
    {
        var spend = Enumerable.Range(1, 10).ToDictionary(back => Today.AddDays(-back), back => 1.00m + back % 2 * 0.10m);
        spend[Today] = 5m;
        var steady = new DailySpend("steady", Enumerable.Range(0, 11).ToDictionary(back => Today.AddDays(-back), _ => 2m));

        var spikes = SpendSpikes.Find([new DailySpend("researcher", spend), steady], Today, new SpikeRule(3, 7, 3, 0.01m));

        var spike = Assert.Single(spikes);
        Assert.Equal(("researcher", Today, 5m), (spike.Subject, spike.Day, spike.SpendUsd));
        Assert.InRange(spike.BaselineMeanUsd, 1.0m, 1.1m);
        Assert.Contains("researcher spent 5 USD on 2026-11-25", spike.Description);
    }

    [Fact]
    public void Days_without_spend_count_as_zero_in_the_baseline_and_tiny_increases_are_not_spikes()
    {
        var quiet = new DailySpend("new-agent", new Dictionary<DateOnly, decimal> { [Today] = 0.004m });
        var started = new DailySpend("big-start", new Dictionary<DateOnly, decimal> { [Today] = 3m });

        var spikes = SpendSpikes.Find([quiet, started], Today, new SpikeRule(1, 7, 3, 0.01m));

        Assert.Equal("big-start", Assert.Single(spikes).Subject);
    }

    [Fact]
    public void Error_rates_above_the_threshold_are_found_worst_first_and_small_samples_are_ignored()
    {
        ModelCalls[] models =
        [
            new("openai", "gpt-4o", 100, 2), new("anthropic", "claude", 50, 10), new("openai", "flaky", 20, 12), new("x", "tiny", 2, 2),
        ];

        var found = ErrorRates.Find(models, 0.05, 10);

        Assert.Equal(["flaky", "claude"], found.Select(f => f.Model));
        Assert.Equal(0.6, found[0].ErrorRate);
    }

    [Fact]
    public void Webhooks_with_dead_or_retried_failing_deliveries_are_found_with_their_latest_error()
    {
        var (bad, good) = (Guid.NewGuid(), Guid.NewGuid());
        AlertDelivery[] deliveries =
        [
            new(bad, "dead", 8, "connection refused", Now.AddHours(-3)),
            new(bad, "pending", 2, "HTTP 500", Now.AddHours(-1)),
            new(good, "delivered", 1, null, Now.AddHours(-1)),
            new(good, "pending", 0, null, Now),
        ];

        var webhook = Assert.Single(FailingWebhooks.Find(deliveries));

        Assert.Equal((bad, 2, 1, "HTTP 500"), (webhook.WebhookId, webhook.FailedDeliveries, webhook.DeadDeliveries, webhook.LastError));
    }

    [Fact]
    public void A_p95_slower_than_the_previous_windows_by_more_than_the_tolerance_is_a_regression()
    {
        var window = TimeSpan.FromHours(24);
        var samples = new List<DurationSample>();
        for (var i = 0; i < 20; i++)
        {
            samples.Add(new("openai/gpt-4o", Now.AddHours(-30).AddMinutes(i), 100 + i));
            samples.Add(new("openai/gpt-4o", Now.AddHours(-2).AddMinutes(i), 400 + i));
            samples.Add(new("openai/stable", Now.AddHours(-30).AddMinutes(i), 100 + i));
            samples.Add(new("openai/stable", Now.AddHours(-2).AddMinutes(i), 110 + i));
            samples.Add(new("openai/too-old", Now.AddHours(-60).AddMinutes(i), 1));
            samples.Add(new("openai/too-old", Now.AddHours(-2).AddMinutes(i), 500));
        }

        var regression = Assert.Single(LatencyRegressions.Find(samples, Now, new RegressionRule(window, 0.5, 5), "ms"));

        Assert.Equal("openai/gpt-4o", regression.Subject);
        Assert.Equal((118.05, 418.05, 20, 20), (regression.PreviousP95, regression.CurrentP95, regression.PreviousSamples, regression.CurrentSamples));
    }

    [Fact]
    public void Percentiles_interpolate_between_ranks_as_postgresql_does()
    {
        Assert.Equal(1.0, LatencyRegressions.Percentile([1], 0.95));
        Assert.Equal(2.5, LatencyRegressions.Percentile([4, 1, 3, 2], 0.5));
        Assert.Equal(9.55, LatencyRegressions.Percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 9);
    }

    [Fact]
    public void Duplicate_and_contradictory_calls_and_ended_runs_whose_totals_disagree_are_found()
    {
        var at = Now.AddHours(-1);
        CallRecord Call(long input = 100, string status = "success", decimal? cost = 0.001m, bool priced = true) =>
            new(Guid.NewGuid(), "openai", "gpt-4o-mini", input, input == 0 ? 0 : 20, 0, 300, status, cost, priced, at);
        var duplicated = Call();
        RunRecord[] runs =
        [
            new(Guid.NewGuid(), "a", at, Now.AddHours(-1), 60, 2, 200, 40, [duplicated, duplicated with { EventId = Guid.NewGuid() }]),
            new(Guid.NewGuid(), "b", at, Now.AddHours(-1), 60, 5, 900, 100,
                [Call(input: 0), Call(input: 200, cost: 0.2m, priced: false), Call(input: 300, cost: null, priced: true), Call(input: 0, status: "error", cost: null, priced: false)]),
            new(Guid.NewGuid(), "c", at, Now.AddMinutes(-1), 60, 9, 0, 0, [Call()]),
        ];

        var found = TelemetryChecks.Find(runs, Now);

        Assert.Equal(2, Assert.IsType<DuplicateCalls>(found[0]).EventIds.Count);
        Assert.Equal(["a successful call that used no tokens", "a cost without a price", "priced but without a cost"],
            found.OfType<InconsistentCall>().Select(f => f.Problem));
        var mismatch = Assert.Single(found.OfType<RunTotalsMismatch>());
        Assert.Equal(("b", 5, 4), (mismatch.Agent, mismatch.TotalCalls, mismatch.StoredCalls));
    }

    [Theory]
    [InlineData("""{"days": 0}""", "days is a whole number from 1 to 28.")]
    [InlineData("""{"days": "7"}""", "days is a whole number from 1 to 28.")]
    [InlineData("""{"k": -1}""", "k is a number from 0 to 100.")]
    [InlineData("""{"group_by": "team"}""", "group_by is one of agent, model, provider.")]
    [InlineData("""{"dayz": 3}""", "Unknown option 'dayz'; this task takes days, k, group_by.")]
    [InlineData("""[1]""", "The payload is a JSON object of options (days, k, group_by), not Array.")]
    public void Bad_options_fail_with_a_message_naming_the_option(string payload, string message)
    {
        var error = Assert.Throws<ArgumentException>(() =>
        {
            var options = new TaskOptions(JsonDocument.Parse(payload).RootElement, "days", "k", "group_by");
            options.Int("days", 7, 1, 28);
            options.Number("k", 3, 0, 100);
            options.OneOf("group_by", "agent", "agent", "model", "provider");
        });

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Options_left_out_take_their_defaults()
    {
        var options = new TaskOptions(null, "days");

        Assert.Equal(7, options.Int("days", 7, 1, 28));
    }
}
