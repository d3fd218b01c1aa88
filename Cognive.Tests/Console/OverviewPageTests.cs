using System.Globalization;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cognive.Tests.Console;

/// <summary>The landing page in a real Chromium: the API's numbers, live updates, a team's own objects only, roles.</summary>
public sealed partial class OverviewPageTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private static readonly TimeSpan LiveUpdateLimit = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task The_overview_shows_the_numbers_the_API_gives_for_the_team()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var lead = await team.PersonAsync("team_lead", ct);
        await team.AgentWithCallsAsync("summariser", 4, ct);
        await team.AgentWithCallsAsync("planner", 2, ct, model: "gpt-4o");
        using var created = await team.Session.Client.PostAsJsonAsync("/api/v1/budgets", new { name = "team monthly", amount_usd = 0.5m, period = "monthly" }, ct);

        var page = await browser.SignInAsync(shared, lead);
        await ConsoleBrowser.WaitForCircuitAsync(page);
        // The page asks the API every 2 s; the API's own answers, read independently, must be what it shows.
        await Eventually.HoldsAsync(async () =>
        {
            var budgets = await team.Session.GetJsonAsync("/api/v1/budgets", ct);
            var summary = await team.Session.GetJsonAsync("/api/v1/analytics/summary?period=24h", ct);
            var budgetSpent = budgets[0].GetProperty("spent_usd").GetDecimal();
            return await ValueAsync(page, "[data-testid=budget-spent]") == budgetSpent &&
                   await ValueAsync(page, "[data-testid=spent-today]") == summary.GetProperty("cost").GetDecimal() &&
                   await ValueAsync(page, "[data-testid=spent-month]") == summary.GetProperty("cost").GetDecimal() &&
                   await page.Locator("[data-testid=model-calls]").CountAsync() == 2 &&
                   await page.Locator("[data-testid=top-agent]").CountAsync() == 2 &&
                   summary.GetProperty("calls").GetInt64() == 6;
        }, "the overview shows the API's spend, budget spend, models and both agents", ct);
        // Two calls of gpt-4o cost more than four of gpt-4o-mini: the top agent is the one that spent most, not called most.
        Assert.Equal("planner", await page.Locator("[data-testid=top-agent] th").First.InnerTextAsync());
        await page.Locator("[data-testid=cost-trend] .main-svg").First.WaitForAsync();
        await ConsoleBrowser.ScreenshotAsync(page, "overview");

        await page.ClickAsync("[data-testid=group-provider]");
        await Eventually.HoldsAsync(async () => await page.Locator("[data-testid=group-provider][aria-pressed=true]").CountAsync() == 1,
            "the trend is grouped by provider", ct);
    }

    [Fact]
    public async Task The_overview_updates_without_a_reload_within_5_seconds_of_new_calls()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var lead = await team.PersonAsync("team_lead", ct);
        var (_, runId) = await team.AgentWithCallsAsync("live", 1, ct);
        var page = await browser.SignInAsync(shared, lead);
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await Eventually.HoldsAsync(async () => await ValueAsync(page, "[data-testid=spent-today]") > 0, "the first call shows", ct);
        var before = await ValueAsync(page, "[data-testid=spent-today]");
        await page.EvaluateAsync("() => window.__sameDocument = true");

        await team.ReportAsync(runId, 3, ct);
        var stored = DateTimeOffset.UtcNow;

        await Eventually.HoldsAsync(async () => await ValueAsync(page, "[data-testid=spent-today]") > before,
            "the new calls show without a reload", ct, LiveUpdateLimit);
        Assert.True(DateTimeOffset.UtcNow - stored <= LiveUpdateLimit);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was not reloaded");
    }

    [Fact]
    public async Task Another_teams_agents_never_appear_on_any_page()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        using var other = await ConsoleTeam.CreateAsync(shared, ct);
        var ours = $"ours-{Guid.NewGuid():N}";
        var theirs = $"theirs-{Guid.NewGuid():N}";
        await team.AgentWithCallsAsync(ours, 1, ct);
        await other.AgentWithCallsAsync(theirs, 1, ct);
        var admin = await team.PersonAsync("admin", ct);

        var page = await browser.SignInAsync(shared, admin);
        await Eventually.HoldsAsync(async () => (await page.ContentAsync()).Contains(ours, StringComparison.Ordinal),
            "the team's own agent shows", ct);
        foreach (var path in await NavigationAsync(page))
        {
            await OpenAsync(page, path);
            Assert.DoesNotContain(theirs, await page.ContentAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_viewer_sees_no_write_controls_where_a_team_lead_does()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var lead = await browser.SignInAsync(shared, await team.PersonAsync("team_lead", ct));
        var viewer = await browser.SignInAsync(shared, await team.PersonAsync("viewer", ct));

        // The team has no budget yet: the overview's empty state offers one to those who may create it.
        Assert.Equal(1, await lead.GetByRole(AriaRole.Link, new() { Name = "Create a budget" }).CountAsync());
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Link, new() { Name = "Create a budget" }).CountAsync());
        foreach (var path in await NavigationAsync(viewer))
        {
            await OpenAsync(viewer, path);
            var writes = viewer.Locator("main").GetByRole(AriaRole.Button, new() { NameRegex = WriteVerbs() })
                .Or(viewer.Locator("main").GetByRole(AriaRole.Link, new() { NameRegex = WriteVerbs() }));
            Assert.True(await writes.CountAsync() == 0, $"{path} shows a viewer {await writes.CountAsync()} write controls");
        }

        await ConsoleBrowser.ScreenshotAsync(viewer, "overview-viewer");
    }

    [System.Text.RegularExpressions.GeneratedRegex("^(Create|New|Add|Edit|Save|Archive|Delete|Remove|Revoke|Invite|Submit|Cancel task|Rotate)",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex WriteVerbs();

    /// <summary>Every page the navigation links to (other helpers' pages are covered as they are added to it).</summary>
    internal static async Task<IReadOnlyList<string>> NavigationAsync(IPage page) =>
        (await page.Locator("nav.console-nav a[href]").EvaluateAllAsync<string[]>("links => links.map(l => new URL(l.href).pathname)"))
            .Distinct().ToList();

    internal static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await Eventually.HoldsAsync(async () => await page.Locator("[data-testid=loading]").CountAsync() == 0,
            $"{path} finished loading", TestContext.Current.CancellationToken);
    }

    private static async Task<decimal> ValueAsync(IPage page, string selector) =>
        await page.Locator(selector).CountAsync() == 0 ? -1
            : decimal.TryParse(await page.Locator(selector).First.GetAttributeAsync("data-value"), NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
                ? value : -1;
}
