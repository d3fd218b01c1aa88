using Cognive.Tests.Infrastructure;
using Cognive.Web.Components.Pages.Overview;

namespace Cognive.Tests.Console;

/// <summary>The cost-trends explorer in a real Chromium: the API's numbers in the table, and a CSV download equal to the API's export.</summary>
public sealed class CostsPageTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task The_explorer_shows_the_apis_totals_and_its_csv_download_is_the_apis_export()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        await team.AgentWithCallsAsync("=cmd|' /C calc'!A0", 3, ct);
        await team.AgentWithCallsAsync("planner", 2, ct, model: "gpt-4o");
        var trends = await team.Session.GetJsonAsync("/api/v1/analytics/cost-trends?period=24h&bucket=hour&group_by=agent", ct);
        using var exported = await team.Session.Client.GetAsync("/api/v1/analytics/cost-trends.csv?period=24h&bucket=hour&group_by=agent", ct);
        var apiCsv = await exported.Content.ReadAsStringAsync(ct);

        var page = await browser.SignInAsync(shared, await team.PersonAsync("viewer", ct), "/costs?period=24h&group_by=agent");
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await ConsolePages.UntilAsync(page, "[data-testid=cost-label]", labels => labels.Count == 2, "both agents' spend", ct);
        await page.Locator("[data-testid=cost-chart] .main-svg").First.WaitForAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=cost-export]"));
        var consoleCsv = await File.ReadAllTextAsync((await download.PathAsync())!, ct);
        await ConsoleBrowser.ScreenshotAsync(page, "costs-explorer");

        Assert.Equal(Money.Usd(trends.GetProperty("total_cost").GetDecimal()), await page.Locator("[data-testid=cost-total-all]").InnerTextAsync());
        Assert.Equal(trends.GetProperty("series").EnumerateArray().Select(s => Money.Usd(s.GetProperty("total_cost").GetDecimal())),
            await ConsolePages.TextsAsync(page, "[data-testid=cost-total]"));
        Assert.Equal("cost-trends-24h-by-agent.csv", download.SuggestedFilename);
        Assert.Equal(apiCsv, consoleCsv);
        Assert.Contains(",'=cmd|' /C calc'!A0,", consoleCsv, StringComparison.Ordinal);
        Assert.Equal(1 + 2, consoleCsv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
