using Bunit;
using Cognive.Web.Components.PageParts;
using Cognive.Web.Components.Pages.Budgets;
using Cognive.Web.Components.Pages.Costs;
using Cognive.Web.Components.Pages.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;
using Plotly.Blazor.Traces;

namespace Cognive.Tests.Console;

/// <summary>The logic inside the Agents, Runs, Costs and Budgets pages' components, rendered with bUnit (no server needed).</summary>
public sealed class PagePartsTests : BunitContext
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    public PagePartsTests()
    {
        Services.AddFluentUIComponents();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Theory]
    [InlineData("hard", "30", "0.5", "$30.00 of $25.00 (120 %)", true, true)]
    [InlineData("soft", "30", "0", "$30.00 of $25.00 (120 %)", false, false)]
    [InlineData("hard", "5", "0", "$5.00 of $25.00 (20 %)", false, false)]
    public void A_budget_meter_says_spent_of_limit_what_is_held_and_when_calls_are_refused(string mode, string spent, string held,
        string standing, bool exhausted, bool showsHeld)
    {
        var budget = Budget(mode, decimal.Parse(spent, System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse(held, System.Globalization.CultureInfo.InvariantCulture));
        var meter = Render<BudgetMeter>(p => p.Add(c => c.Budget, budget));

        Assert.Equal(standing, meter.Find("[data-testid=budget-standing]").TextContent);
        Assert.Equal(exhausted, meter.FindAll("[data-testid=budget-exhausted]").Count == 1);
        Assert.Equal(showsHeld, meter.FindAll("[data-testid=budget-held]").Count == 1);
    }

    [Fact]
    public void A_budget_meter_without_spend_says_why_instead_of_zero()
    {
        var meter = Render<BudgetMeter>(p => p.Add(c => c.Budget, Budget("hard", null, null)));

        Assert.Contains("unavailable", meter.Find("[data-testid=budget-standing]").TextContent, StringComparison.Ordinal);
        Assert.Empty(meter.FindAll("[data-testid=budget-exhausted]"));
    }

    [Fact]
    public void The_cost_table_lists_each_group_with_its_totals_and_share()
    {
        var trends = Trends(("openai/gpt-4o", [(Hour, 3m, 10L)]), ("openai/gpt-4o-mini", [(Hour, 0.5m, 4L), (Hour.AddHours(1), 0.5m, 6L)]));
        var table = Render<CostTable>(p => p.Add(c => c.Trends, trends));

        Assert.Equal(["openai/gpt-4o", "openai/gpt-4o-mini"], table.FindAll("[data-testid=cost-label]").Select(e => e.TextContent));
        Assert.Equal(["$3.00", "$1.00"], table.FindAll("[data-testid=cost-total]").Select(e => e.TextContent));
        Assert.Equal(["10", "10"], table.FindAll("[data-testid=cost-calls]").Select(e => e.TextContent));
        Assert.Equal("75 %", table.Instance.Share(trends.Series[0]));
    }

    [Fact]
    public void Chart_traces_share_every_bucket_and_fill_a_groups_missing_bucket_with_zero()
    {
        var trends = Trends(("a", [(Hour.AddHours(1), 2m, 1L)]), ("b", [(Hour, 1m, 1L), (Hour.AddHours(2), 3m, 1L)]));

        var traces = CostChartData.Traces(trends).Cast<Bar>().ToList();

        Assert.All(traces, t => Assert.Equal([Hour.UtcDateTime, Hour.AddHours(1).UtcDateTime, Hour.AddHours(2).UtcDateTime], t.X));
        Assert.Equal([0m, 2m, 0m], traces[0].Y);
        Assert.Equal([1m, 0m, 3m], traces[1].Y);
    }

    [Fact]
    public void The_budget_form_says_beside_a_field_what_is_not_a_number_and_sends_what_is()
    {
        var bad = new BudgetInput { Name = "x", Amount = "lots", Thresholds = "80, ninety" }.ToRequest(creating: true);
        var good = new BudgetInput { Name = "x", Amount = "$12.50", Thresholds = "50%, 100", AgentId = "" }.ToRequest(creating: true);
        var edit = BudgetInput.From(Budget("soft", 1m, 0m)).ToRequest(creating: false);

        Assert.Null(bad.Request);
        Assert.Equal(["amount_usd", "thresholds"], bad.Problem!.Errors.Keys.Order(StringComparer.Ordinal));
        var sent = good.Request!;
        Assert.Equal(("x", (Guid?)null, (decimal?)12.50m, "daily", "hard"), (sent.Name, sent.AgentId, sent.AmountUsd, sent.Period, sent.Mode));
        Assert.Equal([50, 100], sent.Thresholds!);
        Assert.Equal(((Guid?)null, (string?)null, (decimal?)25m, "soft"), (edit.Request!.AgentId, edit.Request.Period, edit.Request.AmountUsd, edit.Request.Mode));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("over_budget:5f0c1e8e-0000-0000-0000-000000000000", "over budget")]
    [InlineData("policy:5f0c1e8e-0000-0000-0000-000000000000", "policy")]
    public void A_calls_flag_reads_as_the_rule_it_broke(string? flag, string? words) =>
        Assert.Equal(words, new CallRow(Guid.NewGuid(), "openai", "gpt-4o", 1, 1, 0, 1, "success", 1m, true, Hour, flag).FlagText);

    private static BudgetRow Budget(string mode, decimal? spent, decimal? held) => new(Guid.NewGuid(), "daily", "team", null, 25m, "daily", mode,
        [80, 100], spent, held, Hour, Hour.AddDays(1));

    private static CostTrends Trends(params (string Key, (DateTimeOffset At, decimal Cost, long Calls)[] Points)[] series) => new("24h", "hour",
        "model", Hour, Hour.AddDays(1), Hour, 30, series.Sum(s => s.Points.Sum(p => p.Cost)),
        [.. series.Select(s => new TrendSeries(s.Key, s.Key, s.Points.Sum(p => p.Cost),
            [.. s.Points.Select(p => new TrendPoint(p.At, p.Calls, 100, 10, p.Cost, 0, 0))]))]);
}
