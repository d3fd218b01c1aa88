using Bunit;
using Cognive.Web.Api;
using Cognive.Web.Components.Pages.Overview;
using Cognive.Web.Components.Shared;
using Cognive.Web.SignIn;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Cognive.Tests.Console;

/// <summary>The logic in the console's shared components and the overview's chart data, without a browser.</summary>
public sealed class ComponentTests : BunitContext
{
    public ComponentTests()
    {
        Services.AddFluentUIComponents();
        JSInterop.Mode = JSRuntimeMode.Loose; // Fluent UI's components call into their own scripts, which bUnit has not
    }

    private static ConsoleCaller Holding(params string[] permissions) =>
        ConsoleCaller.Nobody with { Email = "p@example.test", Permissions = permissions.ToHashSet() };

    [Fact]
    public void IfCan_shows_its_content_only_to_a_person_holding_the_permission()
    {
        RenderFragment write = builder => builder.AddMarkupContent(0, "<button>Create budget</button>");

        var lead = Render<CascadingValue<ConsoleCaller>>(p => p.Add(c => c.Value, Holding(Permission.CostRead, Permission.BudgetWrite))
            .AddChildContent<IfCan>(c => c.Add(i => i.Permission, Permission.BudgetWrite).Add(i => i.ChildContent, write)));
        var viewer = Render<CascadingValue<ConsoleCaller>>(p => p.Add(c => c.Value, Holding(Permission.CostRead))
            .AddChildContent<IfCan>(c => c.Add(i => i.Permission, Permission.BudgetWrite).Add(i => i.ChildContent, write)));

        Assert.Single(lead.FindAll("button"));
        Assert.Empty(viewer.FindAll("button"));
    }

    [Fact]
    public void Loader_shows_loading_then_the_content_or_the_empty_state()
    {
        var answer = new TaskCompletionSource<int[]>();
        var loader = Render<Loader<int[]>>(p => p
            .Add(l => l.Load, _ => answer.Task)
            .Add(l => l.IsEmpty, items => items.Length == 0)
            .Add(l => l.EmptyText, "No agents yet.")
            .Add(l => l.ChildContent, items => builder => builder.AddContent(0, $"{items.Length} items")));

        Assert.NotNull(loader.Find("[data-testid=loading]"));
        answer.SetResult([]);
        loader.WaitForAssertion(() => Assert.Contains("No agents yet.", loader.Find("[data-testid=empty]").TextContent));
    }

    [Fact]
    public void Loader_shows_the_APIs_problem_in_words_with_its_field_errors()
    {
        var problem = new ApiProblem(400, "https://cognive.dev/problems/validation", "One or more validation errors occurred.", null,
            new Dictionary<string, string[]> { ["group_by"] = ["group_by is one of agent, model, provider."] });
        var loader = Render<Loader<int>>(p => p
            .Add(l => l.Load, _ => Task.FromException<int>(new ApiProblemException(problem)))
            .Add(l => l.ChildContent, value => builder => builder.AddContent(0, value)));

        loader.WaitForAssertion(() =>
        {
            var shown = loader.Find("[data-testid=problem]").TextContent;
            Assert.Contains("group_by is one of agent, model, provider.", shown);
        });
    }

    [Fact]
    public void FieldErrors_shows_only_the_errors_of_its_field()
    {
        var problem = new ApiProblem(400, null, "Invalid", null,
            new Dictionary<string, string[]> { ["amount_usd"] = ["amount_usd is positive."], ["name"] = ["name is required."] });

        var errors = Render<FieldErrors>(p => p.Add(f => f.Problem, problem).Add(f => f.Field, "name"));

        Assert.Equal("name is required.", errors.Find("[data-testid=field-error-name]").TextContent.Trim());
    }

    [Fact]
    public void The_trend_has_every_day_of_the_window_with_zero_where_a_group_spent_nothing_biggest_group_first()
    {
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var trend = new CostTrend("model", from, from.AddDays(2).AddHours(5), 3.5m,
        [
            new TrendSeries("openai/gpt-4o-mini", "openai/gpt-4o-mini", 0.5m, [new TrendPoint(from, 2, 0.5m)]),
            new TrendSeries("openai/gpt-4o", "openai/gpt-4o", 3m, [new TrendPoint(from.AddDays(1), 1, 1m), new TrendPoint(from.AddDays(2), 1, 2m)]),
        ]);

        var series = TrendTraces.Of(trend);

        Assert.Equal(["openai/gpt-4o", "openai/gpt-4o-mini"], series.Select(s => s.Label));
        Assert.Equal(["2026-11-01", "2026-11-02", "2026-11-03"], series[0].Days.Cast<string>());
        Assert.Equal([0m, 1m, 2m], series[0].Costs.Cast<decimal>());
        Assert.Equal([0.5m, 0m, 0m], series[1].Costs.Cast<decimal>());
    }

    [Theory]
    [InlineData(0.25, 1.0, 25)]
    [InlineData(3.0, 1.0, 100)]
    [InlineData(null, 1.0, 0)]
    public void Budget_progress_is_the_spent_share_capped_at_full(double? spent, double limit, int expected) =>
        Assert.Equal(expected, Money.Progress((decimal?)spent, (decimal)limit));
}
