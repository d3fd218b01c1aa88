using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Governance;

/// <summary>The trail filtered as the console's audit page asks: by actor and by time, with the other filters.</summary>
public sealed class AuditFilterTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task The_trail_filters_by_actor_and_by_time()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var lead = await People.RegisterAsync(team.Client, "team_lead", ct);
        var tokens = await People.LoginAsync(_app, lead, ct);
        using var person = People.BearerClient(_app, tokens.AccessToken);
        await team.RegisterAgentAsync("by-key", ct);
        using (var byPerson = await person.PostAsJsonAsync("/api/v1/agents", new { name = "by-person", framework = "custom" }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, byPerson.StatusCode);
        }

        var all = Items(await team.GetJsonAsync("/api/v1/audit", ct));
        var keyActor = all.Single(r => r.GetProperty("action").GetString() == "user.register").GetProperty("actor").GetString()!;
        var byUser = Items(await team.GetJsonAsync($"/api/v1/audit?actor=user:{lead.Id}&action=agent.create", ct));
        var byKey = Items(await team.GetJsonAsync($"/api/v1/audit?actor={keyActor}&action=agent.create", ct));
        // Records are newest first: the middle one's time splits the trail into [from …) and [… to).
        var middle = all[all.Count / 2];
        var at = Uri.EscapeDataString(middle.GetProperty("occurred_at").GetDateTimeOffset().ToOffset(TimeSpan.FromHours(2)).ToString("O"));
        var since = Items(await team.GetJsonAsync($"/api/v1/audit?from={at}&limit=500", ct));
        var before = Items(await team.GetJsonAsync($"/api/v1/audit?to={at}&limit=500", ct));
        using var backwards = await team.Client.GetAsync($"/api/v1/audit?from={at}&to={at}", ct);
        var problem = await TeamSession.ReadAsync(backwards, ct);

        Assert.Equal("by-person", Assert.Single(byUser).GetProperty("summary").GetProperty("after").GetProperty("name").GetString());
        Assert.Equal("by-key", Assert.Single(byKey).GetProperty("summary").GetProperty("after").GetProperty("name").GetString());
        var when = middle.GetProperty("occurred_at").GetDateTimeOffset();
        Assert.Contains(since, r => r.GetProperty("id").GetInt64() == middle.GetProperty("id").GetInt64());
        Assert.All(since, r => Assert.True(r.GetProperty("occurred_at").GetDateTimeOffset() >= when));
        Assert.All(before, r => Assert.True(r.GetProperty("occurred_at").GetDateTimeOffset() < when));
        Assert.Equal(all.Count, since.Count + before.Count);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("to", out _), problem.ToString());
    }

    private static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();
}
