using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Tenancy;

/// <summary>Registering and managing agents, always within the caller's team.</summary>
public sealed class AgentTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_registered_agent_can_be_read_updated_and_archived()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));

        var agent = await RegisterAsync(team, "researcher", ct, config: new { model = "gpt-4o", temperature = 0.2 });
        var id = agent.GetProperty("agent_id").GetGuid();
        using var patched = await team.PatchAsJsonAsync($"/api/v1/agents/{id}", new { description = "reads papers" }, ct);
        using var archive = await team.DeleteAsync($"/api/v1/agents/{id}", ct);
        using var read = JsonDocument.Parse(await team.GetStringAsync($"/api/v1/agents/{id}", ct));

        Assert.Equal("langgraph", agent.GetProperty("framework").GetString());
        Assert.Equal("gpt-4o", agent.GetProperty("config").GetProperty("model").GetString());
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, archive.StatusCode);
        Assert.Equal("researcher", read.RootElement.GetProperty("name").GetString());
        Assert.Equal("reads papers", read.RootElement.GetProperty("description").GetString());
        Assert.Equal("archived", read.RootElement.GetProperty("status").GetString());
        Assert.Equal(0.2, read.RootElement.GetProperty("config").GetProperty("temperature").GetDouble());
    }

    [Fact]
    public async Task Listing_pages_by_cursor_and_filters()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        for (var i = 0; i < 5; i++)
        {
            await RegisterAsync(team, $"worker-{i}", ct, framework: i % 2 == 0 ? "crewai" : "autogen");
        }

        var names = new List<string>();
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await team.GetStringAsync($"/api/v1/agents?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}", ct));
            names.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("name").GetString()!));
            cursor = page.RootElement.GetProperty("next_cursor").ValueKind == JsonValueKind.Null
                ? null
                : page.RootElement.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        using var crewai = JsonDocument.Parse(await team.GetStringAsync("/api/v1/agents?framework=crewai", ct));

        Assert.Equal(["worker-0", "worker-1", "worker-2", "worker-3", "worker-4"], names);
        Assert.Equal(3, crewai.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Another_teams_agent_is_a_404_everywhere()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        using var other = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var id = (await RegisterAsync(owner, "private", ct)).GetProperty("agent_id").GetGuid();

        using var get = await other.GetAsync($"/api/v1/agents/{id}", ct);
        using var patch = await other.PatchAsJsonAsync($"/api/v1/agents/{id}", new { name = "stolen" }, ct);
        using var delete = await other.DeleteAsync($"/api/v1/agents/{id}", ct);
        using var list = JsonDocument.Parse(await other.GetStringAsync("/api/v1/agents", ct));
        using var unchanged = JsonDocument.Parse(await owner.GetStringAsync($"/api/v1/agents/{id}", ct));

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound],
            [get.StatusCode, patch.StatusCode, delete.StatusCode]);
        Assert.Equal(0, list.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal("private", unchanged.RootElement.GetProperty("name").GetString());
        Assert.Equal("active", unchanged.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_duplicate_name_in_a_team_is_a_409()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        await RegisterAsync(team, "twin", ct);

        using var second = await team.PostAsJsonAsync("/api/v1/agents", new { name = "twin", framework = "x" }, ct);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{\"framework\":\"x\"}", "name")]
    [InlineData("{\"name\":\"a\"}", "framework")]
    [InlineData("{\"name\":\"LONG\",\"framework\":\"x\"}", "name")]
    [InlineData("{\"name\":\"a\",\"framework\":\"x\",\"config\":[1,2]}", "config")]
    [InlineData("{\"name\":\"a\",\"framework\":\"x\",\"config\":\"text\"}", "config")]
    [InlineData("{\"name\":", null)]
    public async Task Bad_registrations_get_400_problem_details_and_store_nothing(string body, string? field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));

        using var response = await team.PostAsync("/api/v1/agents",
            new StringContent(body.Replace("LONG", new string('n', 201)), Encoding.UTF8, "application/json"), ct);
        using var list = JsonDocument.Parse(await team.GetStringAsync("/api/v1/agents", ct));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.ToString());
        }

        Assert.Equal(0, list.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_update_that_blanks_the_name_is_refused_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var id = (await RegisterAsync(team, "keeper", ct)).GetProperty("agent_id").GetGuid();

        using var patch = await team.PatchAsJsonAsync($"/api/v1/agents/{id}", new { name = "   " }, ct);
        using var read = JsonDocument.Parse(await team.GetStringAsync($"/api/v1/agents/{id}", ct));

        Assert.Equal(HttpStatusCode.BadRequest, patch.StatusCode);
        Assert.Equal("keeper", read.RootElement.GetProperty("name").GetString());
    }

    private static async Task<JsonElement> RegisterAsync(HttpClient team, string name, CancellationToken ct,
        string framework = "langgraph", object? config = null)
    {
        using var response = await team.PostAsJsonAsync("/api/v1/agents", new { name, framework, config }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
    }
}
