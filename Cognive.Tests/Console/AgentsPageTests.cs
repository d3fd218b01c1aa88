using System.Net;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Console;

/// <summary>The Agents page in a real Chromium: register, edit, search and archive an agent; a viewer sees no write controls.</summary>
public sealed class AgentsPageTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task A_team_lead_registers_edits_finds_and_archives_an_agent_and_field_errors_show_beside_their_fields()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        await team.Session.RegisterAgentAsync("existing-helper", ct);
        var page = await browser.SignInAsync(shared, await team.PersonAsync("team_lead", ct), "/agents");
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await ConsolePages.UntilAsync(page, "[data-testid=agent-link]", names => names.SequenceEqual(["existing-helper"]), "the agent is listed", ct);

        await page.ClickAsync("[data-testid=agent-new]");
        await ConsolePages.FillAsync(page, "agent-framework", "crewai");
        await page.ClickAsync("[data-testid=agent-save]");
        await page.Locator("[data-testid=field-error-name]").WaitForAsync();
        Assert.Contains("name is required", await page.Locator("[data-testid=field-error-name]").InnerTextAsync(), StringComparison.Ordinal);
        await ConsolePages.FillAsync(page, "agent-name", "Paper-Reader");
        await page.ClickAsync("[data-testid=agent-save]");
        await ConsolePages.UntilAsync(page, "[data-testid=agent-link]", names => names.Contains("Paper-Reader"), "the new agent is listed", ct);

        await page.Locator("[data-testid=agent-edit][aria-label='Edit Paper-Reader']").ClickAsync();
        await ConsolePages.FillAsync(page, "agent-name", "Paper-Reader-2");
        await page.ClickAsync("[data-testid=agent-save]");
        await ConsolePages.UntilAsync(page, "[data-testid=agent-link]", names => names.Contains("Paper-Reader-2"), "the renamed agent is listed", ct);

        await ConsolePages.FillAsync(page, "agent-search", "READER");
        await ConsolePages.UntilAsync(page, "[data-testid=agent-link]", names => names.SequenceEqual(["Paper-Reader-2"]), "the search finds it", ct);
        await ConsoleBrowser.ScreenshotAsync(page, "agents-page");
        await page.Locator("[data-testid=agent-archive][aria-label='Archive Paper-Reader-2']").ClickAsync();
        await page.Locator("[data-testid=empty]").WaitForAsync();

        var agents = (await team.Session.GetJsonAsync("/api/v1/agents?q=reader", ct)).GetProperty("items");
        var agent = Assert.Single(agents.EnumerateArray());
        Assert.Equal("archived", agent.GetProperty("status").GetString());
        Assert.Equal("crewai", agent.GetProperty("framework").GetString());
    }

    [Fact]
    public async Task A_viewer_sees_agents_but_no_control_that_writes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var (agentId, _) = await team.AgentWithCallsAsync("watched", 1, ct);
        var page = await browser.SignInAsync(shared, await team.PersonAsync("viewer", ct), "/agents");
        await ConsoleBrowser.WaitForCircuitAsync(page);
        await ConsolePages.UntilAsync(page, "[data-testid=agent-link]", names => names.SequenceEqual(["watched"]), "the agent is listed", ct);

        Assert.Equal(0, await page.Locator("[data-testid=agent-new], [data-testid=agent-edit], [data-testid=agent-archive]").CountAsync());
        await ConsolePages.OpenAsync(page, $"/agents/{agentId}");
        await page.Locator("[data-testid=agent-spend]").WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=agent-edit], [data-testid=agent-archive]").CountAsync());
    }
}
