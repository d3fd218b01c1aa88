using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>What the console's pages ask the API: agents found by part of a name, flagged calls, held budget money, alert pages.</summary>
public sealed class ConsoleQueryTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Agents_are_found_by_any_part_of_their_name_ignoring_case_and_wildcards()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        foreach (var name in new[] { "Paper-Reader", "reader_2", "writer", "100% reader" })
        {
            await team.RegisterAgentAsync(name, ct);
        }

        await other.RegisterAgentAsync("another reader", ct);

        Assert.Equal(["100% reader", "Paper-Reader", "reader_2"], await NamesAsync(team, "?q=READER", ct));
        Assert.Equal(["100% reader"], await NamesAsync(team, "?q=%25", ct));
        Assert.Equal(["reader_2"], await NamesAsync(team, "?q=r_", ct));
        Assert.Equal(["writer"], await NamesAsync(team, "?q=rit&framework=langgraph&status=active", ct));
        Assert.Empty(await NamesAsync(team, "?q=another", ct));
    }

    [Fact]
    public async Task A_budget_shows_what_checks_hold_and_an_over_budget_call_is_listed_with_its_flag()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("spender", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/budgets",
            new { name = "tiny", agent_id = agentId, amount_usd = 5m, period = "daily", mode = "hard" }, ct);
        var budgetId = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();

        using var check = await team.Client.PostAsJsonAsync("/api/v1/budgets/check", new { agent_id = agentId, estimated_cost_usd = 1.25m }, ct);
        var held = await BudgetAsync(team, budgetId, ct);
        using var big = await team.PostCallAsync(runId, TeamSession.Call(model: "gpt-4o", input: 5_000_000, output: 1_000_000), ct);
        await team.WaitForRunCallsAsync(runId, 1, ct);
        await Eventually.HoldsAsync(async () => (await BudgetAsync(team, budgetId, ct)).GetProperty("spent_usd").GetDecimal() >= 5m,
            "the budget is spent", ct);
        using var over = await team.PostCallAsync(runId, TeamSession.Call(input: 10, output: 10), ct);
        await team.WaitForRunCallsAsync(runId, 2, ct);
        var calls = (await team.GetJsonAsync($"/api/v1/runs/{runId}/llm-calls", ct)).GetProperty("items");

        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Equal(1.25m, held.GetProperty("held_usd").GetDecimal());
        Assert.Equal(0m, held.GetProperty("spent_usd").GetDecimal());
        Assert.Equal(HttpStatusCode.Accepted, big.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.Equal(JsonValueKind.Null, calls[0].GetProperty("flag").ValueKind);
        Assert.Equal($"over_budget:{budgetId}", calls[1].GetProperty("flag").GetString());
    }

    [Fact]
    public async Task Alerts_page_newest_first_by_cursor_without_repeats_or_gaps()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/budgets",
            new { name = "steps", amount_usd = 0.0001m, period = "daily", mode = "soft", thresholds = new[] { 20, 40, 60, 80, 100 } }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var call = await team.PostCallAsync(runId, TeamSession.Call(input: 100_000, output: 10_000), ct);
        await Eventually.HoldsAsync(async () =>
            (await team.GetJsonAsync("/api/v1/alerts?limit=200", ct)).GetProperty("items").GetArrayLength() == 5, "five alerts fired", ct);

        var all = (await team.GetJsonAsync("/api/v1/alerts?limit=200", ct)).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("id").GetGuid()).ToList();
        var paged = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await team.GetJsonAsync("/api/v1/alerts?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"), ct);
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);
        using var bad = await team.Client.GetAsync("/api/v1/alerts?cursor=nonsense", ct);

        Assert.Equal(3, pages);
        Assert.Equal(all, paged);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static async Task<string[]> NamesAsync(TeamSession team, string query, CancellationToken ct) =>
        [.. (await team.GetJsonAsync("/api/v1/agents" + query, ct)).GetProperty("items").EnumerateArray()
            .Select(a => a.GetProperty("name").GetString()!).Order(StringComparer.Ordinal)];

    private static async Task<JsonElement> BudgetAsync(TeamSession team, Guid budgetId, CancellationToken ct) =>
        (await team.GetJsonAsync("/api/v1/budgets", ct)).EnumerateArray().Single(b => b.GetProperty("id").GetGuid() == budgetId);
}
