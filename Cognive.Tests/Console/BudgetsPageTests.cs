using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Console;

/// <summary>Budgets and alerts in a real Chromium: a budget made in the console alerts and refuses calls, and the console shows both.</summary>
public sealed class BudgetsPageTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task A_budget_created_in_the_console_alerts_and_its_429_shows_as_spent_and_as_a_flagged_call()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var agentId = await team.Session.RegisterAgentAsync("spender", ct);
        var runId = await team.Session.StartRunAsync(agentId, ct);
        var page = await browser.SignInAsync(shared, await team.PersonAsync("team_lead", ct), "/budgets");
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await page.Locator("[data-testid=empty]").First.WaitForAsync();

        await page.ClickAsync("[data-testid=budget-new]");
        await ConsolePages.FillAsync(page, "budget-name", "console daily");
        await ConsolePages.FillAsync(page, "budget-amount", "lots");
        await page.ClickAsync("[data-testid=budget-save]");
        await page.Locator("[data-testid=field-error-amount_usd]").WaitForAsync();
        await ConsolePages.FillAsync(page, "budget-amount", "0.001");
        await ConsolePages.FillAsync(page, "budget-thresholds", "50, 100");
        await page.ClickAsync("[data-testid=budget-save]");
        await ConsolePages.UntilAsync(page, "[data-testid=budget-row-name]", names => names.SequenceEqual(["console daily"]), "the budget is listed", ct);
        var budget = (await team.Session.GetJsonAsync("/api/v1/budgets", ct))[0];
        Assert.Equal(0.001m, budget.GetProperty("amount_usd").GetDecimal());
        Assert.Equal("hard", budget.GetProperty("mode").GetString());
        Assert.Equal([50, 100], budget.GetProperty("thresholds").EnumerateArray().Select(t => t.GetInt32()));

        await team.ReportAsync(runId, 5, ct);
        await Eventually.HoldsAsync(async () =>
            (await team.Session.GetJsonAsync("/api/v1/budgets", ct))[0].GetProperty("spent_usd").GetDecimal() >= 0.001m, "the budget is spent", ct);
        using var refused = await team.Session.PostCallAsync(runId, TeamSession.Call(), ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        await team.Session.WaitForRunCallsAsync(runId, 6, ct);
        await Eventually.HoldsAsync(async () =>
            (await team.Session.GetJsonAsync("/api/v1/alerts", ct)).GetProperty("items").GetArrayLength() == 2, "both thresholds alerted", ct);

        await ConsolePages.OpenAsync(page, "/budgets");
        await page.Locator("[data-testid=budget-exhausted]").WaitForAsync();
        // The alerts render after the budgets (CI read none at the moment the exhausted marker showed).
        var alerts = new List<string>();
        await ConsolePages.UntilAsync(page, "[data-testid=alert-text]", texts => (alerts = texts).Count >= 2, "the alerts are listed", ct);
        // Both thresholds may be crossed by one stored batch, so they may carry the same time: no order between them.
        Assert.Equal(["Budget reached 100 %", "Budget reached 50 %"], alerts.Select(a => a.Split(':')[0]).Order(StringComparer.Ordinal));
        await ConsoleBrowser.ScreenshotAsync(page, "budgets-alerts");
        await ConsolePages.OpenAsync(page, $"/runs/{runId}");
        await ConsolePages.UntilAsync(page, "[data-testid=call-flag]", flags => flags.SequenceEqual(["over budget"]), "the refused call is flagged", ct);
    }

    [Fact]
    public async Task A_webhook_added_in_the_console_shows_its_secret_once_and_can_be_deleted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var page = await browser.SignInAsync(shared, await team.PersonAsync("team_lead", ct), "/budgets");
        await ConsoleBrowser.WaitForCircuitAsync(page);

        await ConsolePages.FillAsync(page, "webhook-url", "not a url");
        await page.ClickAsync("[data-testid=webhook-add]");
        await page.Locator("[data-testid=field-error-url]").WaitForAsync();
        await ConsolePages.FillAsync(page, "webhook-url", "https://hooks.example.com/cognive");
        await page.ClickAsync("[data-testid=webhook-add]");
        var secret = await page.Locator("[data-testid=webhook-secret-value]").InnerTextAsync();
        await ConsolePages.UntilAsync(page, "[data-testid=webhook-row-url]", urls => urls.SequenceEqual(["https://hooks.example.com/cognive"]),
            "the webhook is listed", ct);
        await ConsolePages.OpenAsync(page, "/budgets");
        await ConsolePages.UntilAsync(page, "[data-testid=webhook-row-url]", urls => urls.Count == 1, "the webhook is listed again", ct);
        var shownAgain = await page.Locator("[data-testid=webhook-secret-value]").CountAsync();
        await page.ClickAsync("[data-testid=webhook-delete]");
        await Eventually.HoldsAsync(async () => (await team.Session.GetJsonAsync("/api/v1/webhooks", ct)).GetArrayLength() == 0, "the webhook is gone", ct);

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(0, shownAgain);
    }

    [Fact]
    public async Task A_viewer_sees_budgets_and_alerts_but_no_budget_or_webhook_controls()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        using var created = await team.Session.Client.PostAsJsonAsync("/api/v1/budgets", new { name = "watched", amount_usd = 5m, period = "weekly" }, ct);
        var page = await browser.SignInAsync(shared, await team.PersonAsync("viewer", ct), "/budgets");
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await ConsolePages.UntilAsync(page, "[data-testid=budget-row-name]", names => names.SequenceEqual(["watched"]), "the budget is listed", ct);

        Assert.Equal(0, await page.Locator("[data-testid=budget-new], [data-testid=budget-edit], [data-testid=webhook-form], [data-testid=webhooks]").CountAsync());
    }
}
