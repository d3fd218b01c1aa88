using Cognive.Tests.Infrastructure;
using Deque.AxeCore.Playwright;

namespace Cognive.Tests.Console;

/// <summary>axe-core finds no serious or critical violation on any page of the console, in either theme.</summary>
public sealed class AccessibilityTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task Every_page_of_the_navigation_and_the_sign_in_page_has_no_serious_or_critical_axe_violation_in_both_themes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        await team.AgentWithCallsAsync("accessible", 2, ct);
        var signIn = await browser.NewPageAsync(shared);
        await signIn.GotoAsync("/account/sign-in");
        var findings = await SeriousAsync(signIn, "/account/sign-in");

        var page = await browser.SignInAsync(shared, await team.PersonAsync("admin", ct));
        var pages = await OverviewPageTests.NavigationAsync(page);
        Assert.Equal(["/", "/agents", "/runs", "/costs", "/budgets", "/policies", "/audit", "/swarm", "/settings"], pages);
        foreach (var theme in new[] { "light", "dark" })
        {
            foreach (var path in pages)
            {
                await OverviewPageTests.OpenAsync(page, path);
                findings.AddRange(await SeriousAsync(page, $"{path} ({theme})"));
                if (path != "/" || theme == "dark")
                {
                    await ConsoleBrowser.ScreenshotAsync(page, path == "/" ? "overview-dark" : theme == "dark" ? $"{path.Trim('/')}-dark" : path.Trim('/'));
                }
            }

            if (theme == "light")
            {
                await page.ClickAsync("[data-testid=theme-switch]"); // to dark for the second pass, kept across page loads
                await Eventually.HoldsAsync(async () => await page.EvaluateAsync<string?>("() => localStorage.getItem('cognive-theme')") is not null,
                    "the theme choice is kept", ct);
            }
        }
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }

    /// <summary>
    /// What axe still finds once the page has settled: Fluent's web components wire their slotted labels to the inner
    /// controls a moment after Blazor renders them, and a scan in that moment saw unnamed fields (a different page each
    /// time). A violation that lasts <see cref="Settle"/> is reported.
    /// </summary>
    private static async Task<List<string>> SeriousAsync(Microsoft.Playwright.IPage page, string where)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (true)
        {
            var result = await page.RunAxe();
            var serious = result.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{where}: {v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})")
                .ToList();
            if (serious.Count == 0 || DateTime.UtcNow > deadline)
            {
                return serious;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);
}
