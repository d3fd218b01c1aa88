using Cognive.Tests.Infrastructure;
using Cognive.Web.Components.Pages.Overview;

namespace Cognive.Tests.Console;

/// <summary>Runs and calls in a real Chromium: an agent's runs newest first and a run's calls, both paged by the API's cursors.</summary>
public sealed class RunsPageTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task An_agents_runs_page_newest_first_and_a_runs_calls_page_by_cursor_with_the_apis_totals()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var (agentId, busyRun) = await team.AgentWithCallsAsync("pager", 55, ct);
        var runs = new List<Guid> { busyRun };
        for (var i = 0; i < 22; i++)
        {
            runs.Add(await team.Session.StartRunAsync(agentId, ct));
        }

        var page = await browser.SignInAsync(shared, await team.PersonAsync("developer", ct), $"/runs?agent={agentId}");
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await ConsolePages.UntilAsync(page, "[data-testid=run-link]", links => links.Count == 20, "the first page of runs", ct);
        var firstPage = await RunIdsAsync(page);
        await page.ClickAsync("[data-testid=page-next]");
        await ConsolePages.UntilAsync(page, "[data-testid=run-link]", links => links.Count == 3, "the second page of runs", ct);
        var secondPage = await RunIdsAsync(page);
        await page.ClickAsync("[data-testid=page-previous]");
        await ConsolePages.UntilAsync(page, "[data-testid=run-link]", links => links.Count == 20, "back to the first page", ct);

        runs.Reverse(); // newest first
        Assert.Equal(runs, [.. firstPage, .. secondPage]);

        await ConsolePages.OpenAsync(page, $"/runs/{busyRun}");
        var run = await team.Session.GetJsonAsync($"/api/v1/runs/{busyRun}", ct);
        await ConsolePages.UntilAsync(page, "[data-testid=total-calls]", texts => texts.SequenceEqual(["55"]), "the run's totals", ct);
        Assert.Equal(Money.Usd(run.GetProperty("totals").GetProperty("cost").GetDecimal()), await page.Locator("[data-testid=total-cost]").InnerTextAsync());
        await Eventually.HoldsAsync(async () => await page.Locator("[data-testid=call-row]").CountAsync() == 50, "the first fifty calls", ct);
        await ConsoleBrowser.ScreenshotAsync(page, "run-detail");
        await page.ClickAsync("[data-testid=page-next]");
        await Eventually.HoldsAsync(async () => await page.Locator("[data-testid=call-row]").CountAsync() == 5, "the last five calls", ct);
        Assert.Equal("Page 2", await page.Locator("[data-testid=page-number]").InnerTextAsync());
    }

    private static async Task<List<Guid>> RunIdsAsync(Microsoft.Playwright.IPage page) =>
        [.. (await page.Locator("[data-testid=run-link]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
            .Select(href => Guid.Parse(href.Split('/')[^1]))];
}
