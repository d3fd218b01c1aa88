using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Microsoft.Playwright;

namespace Cognive.Tests.Console.Admin;

/// <summary>The admin pages in Chromium against the shared app: keys, audit, policies, the swarm, and what a viewer is shown.</summary>
public sealed class AdminPagesTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task A_key_created_in_the_console_is_shown_once_works_and_is_revoked_there()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var page = await OpenAsync(await team.PersonAsync("team_lead", ct), "/settings");

        await FillAsync(page, "#key-name", "console-key");
        await page.ClickAsync("[data-testid=create-key]");
        var key = await page.Locator("[data-testid=new-key-value]").InnerTextAsync();
        using var withKey = shared.App.CreateApiClient(key);
        using var works = await withKey.GetAsync("/api/v1/agents", ct);
        await ConsoleBrowser.ScreenshotAsync(page, "settings-key-shown-once");
        await page.ClickAsync("[data-testid=new-key-done]");
        await page.Locator("[data-testid=new-key-value]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var afterDismiss = await page.ContentAsync();
        await OverviewPageTests.OpenAsync(page, "/settings");
        var afterReload = await page.ContentAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke console-key" }).ClickAsync();
        await page.ClickAsync("[data-testid=confirm-revoke]");
        await Eventually.HoldsAsync(async () => (await page.Locator("[data-testid=keys]").InnerTextAsync()).Contains("revoked"),
            "the key is listed as revoked", ct);
        using var refused = await withKey.GetAsync("/api/v1/agents", ct);

        Assert.StartsWith("cgv_", key);
        Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        Assert.DoesNotContain(key, afterDismiss);
        Assert.DoesNotContain(key, afterReload);
        Assert.Contains("console-key", afterReload);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await ConsoleBrowser.ScreenshotAsync(page, "settings");
    }

    [Fact]
    public async Task Verify_in_the_console_shows_the_trail_intact_and_the_trail_filters_by_action()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        await team.Session.RegisterAgentAsync("audited", ct);
        var page = await OpenAsync(await team.PersonAsync("team_lead", ct), "/audit");

        await page.ClickAsync("[data-testid=verify]");
        var verdict = await page.Locator("[data-testid=verify-result]").InnerTextAsync();
        await FillAsync(page, "#audit-action", "agent.create");
        await page.ClickAsync("[data-testid=apply-filters]");
        await Eventually.HoldsAsync(async () => !(await page.Locator("[data-testid=audit-records]").InnerTextAsync()).Contains("auth.login"),
            "only agent.create records are listed", ct);
        var records = await page.Locator("[data-testid=audit-records]").InnerTextAsync();

        Assert.Contains("Intact", verdict);
        Assert.Contains("agent.create", records);
        Assert.DoesNotContain("user.register", records);
        await ConsoleBrowser.ScreenshotAsync(page, "audit");
    }

    [Fact]
    public async Task A_policy_created_in_the_console_is_enforced_by_the_api_and_its_violations_shown()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var agentId = await team.Session.RegisterAgentAsync("governed-in-console", ct);
        var page = await OpenAsync(await team.PersonAsync("team_lead", ct), "/policies");

        await page.ClickAsync("[data-testid=new-policy]");
        await FillAsync(page, "#policy-name", "mini only");
        await page.SelectOptionAsync("#policy-agent", agentId.ToString());
        await FillAsync(page, "#policy-models", "gpt-4o-mini");
        await FillAsync(page, "#policy-max-tokens", "0");
        await page.ClickAsync("[data-testid=save-policy]");
        var fieldError = await page.Locator("[data-testid=field-error-max_tokens_per_call]").InnerTextAsync();
        await FillAsync(page, "#policy-max-tokens", "");
        await page.ClickAsync("[data-testid=save-policy]");
        await page.Locator("[data-testid=policies]").GetByText("mini only").WaitForAsync();
        using var refused = await team.Session.Client.PostAsJsonAsync("/api/v1/budgets/check",
            new { agent_id = agentId, model = "gpt-4o", input_tokens = 100, max_output_tokens = 100 }, ct);
        var refusal = await TeamSession.ReadAsync(refused, ct);
        await OverviewPageTests.OpenAsync(page, "/policies");
        var listed = await page.Locator("[data-testid=policies]").InnerTextAsync();

        Assert.Contains("max_tokens_per_call", fieldError);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("mini only", refusal.GetProperty("policy").GetString());
        Assert.Contains("governed-in-console", listed);
        Assert.Matches(@"mini only\s+governed-in-console\s+models gpt-4o-mini\s+1\b", listed);
        Assert.Equal(0, await page.Locator("[data-testid=page-next]").CountAsync()); // one page: no pager
        await ConsoleBrowser.ScreenshotAsync(page, "policies");
    }

    [Fact]
    public async Task A_task_submitted_in_the_console_is_queued_at_the_queen_and_cancelled_there()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var page = await OpenAsync(await team.PersonAsync("developer", ct), "/swarm");
        using var queen = shared.App.App.CreateHttpClient("swarm-queen", "http");
        queen.DefaultRequestHeaders.Add("X-API-Key", await TeamKeyAsync(team, ct));

        await FillAsync(page, "#task-payload", "{\"note\": \"from the console\"}");
        await page.ClickAsync("[data-testid=submit-task]");
        var submitted = await page.Locator("[data-testid=submitted]").InnerTextAsync();
        var taskId = Guid.Parse(submitted["Submitted task ".Length..].TrimEnd('.'));
        var queued = await queen.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/swarm/tasks/{taskId}", ct);
        await page.Locator("[data-testid=cancel-task]").First.WaitForAsync();
        await ConsoleBrowser.ScreenshotAsync(page, "swarm");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Cancel task {taskId}" }).ClickAsync();
        await Eventually.HoldsAsync(async () =>
            (await queen.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/swarm/tasks/{taskId}", ct)).GetProperty("state").GetString() == "cancelled",
            "the queen has the task cancelled", ct);
        await Eventually.HoldsAsync(async () => await page.Locator("[data-testid=cancel-task]").CountAsync() == 0,
            "the page no longer offers to cancel it", ct);

        Assert.Equal("queued", queued.GetProperty("state").GetString());
        Assert.Equal("from the console", queued.GetProperty("payload").GetProperty("note").GetString());
    }

    [Fact]
    public async Task A_viewer_sees_no_write_controls_on_the_admin_pages_where_a_team_lead_does()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        await team.Session.Client.PostAsJsonAsync("/api/v1/policies", new { name = "listed", max_calls_per_minute = 60 }, ct);
        const string writes = "[data-testid=new-policy], [data-testid=verify], [data-testid=submit-task], [data-testid=create-key], " +
                              "[data-testid=invite], [data-testid=revoke-key], fluent-button:has-text('Edit')";
        var lead = await OpenAsync(await team.PersonAsync("admin", ct), "/policies");
        var viewer = await OpenAsync(await team.PersonAsync("viewer", ct), "/policies");

        var leadCounts = new List<int>();
        var viewerCounts = new List<int>();
        foreach (var path in new[] { "/policies", "/audit", "/swarm", "/settings" })
        {
            await OverviewPageTests.OpenAsync(lead, path);
            await OverviewPageTests.OpenAsync(viewer, path);
            leadCounts.Add(await lead.Locator(writes).CountAsync());
            viewerCounts.Add(await viewer.Locator(writes).CountAsync());
        }

        Assert.All(leadCounts, count => Assert.True(count > 0, string.Join(", ", leadCounts)));
        Assert.Equal([0, 0, 0, 0], viewerCounts);
        await ConsoleBrowser.ScreenshotAsync(viewer, "settings-viewer");
    }

    [Fact]
    public async Task Prices_are_shown_to_the_installations_admins_only()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        using var installation = shared.App.CreateApiClient(shared.App.AdminApiKey);
        var teamAdmin = await OpenAsync(await team.PersonAsync("admin", ct), "/settings");
        var installationAdmin = await OpenAsync(await People.RegisterAsync(installation, "admin", ct), "/settings");

        await installationAdmin.Locator("[data-testid=prices]").WaitForAsync();
        var prices = await installationAdmin.Locator("[data-testid=prices]").InnerTextAsync();
        var first = (await installation.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/pricing", ct))[0];

        Assert.Equal(0, await teamAdmin.Locator("[data-testid=prices-section]").CountAsync());
        Assert.Contains(first.GetProperty("model").GetString()!, prices);
        await ConsoleBrowser.ScreenshotAsync(installationAdmin, "settings-installation-admin");
    }

    private async Task<IPage> OpenAsync(Person person, string path)
    {
        var page = await browser.SignInAsync(shared, person, path);
        await OverviewPageTests.OpenAsync(page, path);
        return page;
    }

    /// <summary>Blazor's inputs bind on change: fill, then let the change go to the circuit.</summary>
    private static async Task FillAsync(IPage page, string selector, string value)
    {
        await page.FillAsync(selector, value);
        await page.DispatchEventAsync(selector, "change");
    }

    /// <summary>A key of the team for the queen, made with the team's first key (the page's person acts in the console only).</summary>
    private static async Task<string> TeamKeyAsync(ConsoleTeam team, CancellationToken ct)
    {
        using var response = await team.Session.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "queen-reader" }, ct);
        return (await TeamSession.ReadAsync(response, ct)).GetProperty("key").GetString()!;
    }
}
