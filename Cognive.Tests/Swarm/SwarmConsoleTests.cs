using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Swarm;

/// <summary>What the console's swarm page asks the queen, with a signed-in person's bearer token: tasks by state, page by page, and quarantines.</summary>
public sealed class SwarmConsoleTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_signed_in_person_submits_lists_by_state_and_cancels_tasks_and_a_viewer_only_reads()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var lead = await PersonAtTheQueenAsync(team, "team_lead", ct);
        using var viewer = await PersonAtTheQueenAsync(team, "viewer", ct);
        var submitted = new List<Guid>();
        foreach (var priority in new[] { 1, 2, 3 })
        {
            using var response = await lead.PostAsJsonAsync("/api/v1/swarm/tasks", new { type = "noop", priority }, ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            submitted.Add((await TeamSession.ReadAsync(response, ct)).GetProperty("task_id").GetGuid());
        }

        using var cancelled = await lead.PostAsync($"/api/v1/swarm/tasks/{submitted[0]}/cancel", null, ct);
        var cancelledPage = await PageAsync(viewer, "state=cancelled", ct);
        var firstQueued = await PageAsync(viewer, "state=queued&limit=1", ct);
        var secondQueued = await PageAsync(viewer, $"state=queued&limit=1&cursor={firstQueued.GetProperty("next_cursor").GetGuid()}", ct);
        using var viewerSubmits = await viewer.PostAsJsonAsync("/api/v1/swarm/tasks", new { type = "noop" }, ct);
        using var badState = await viewer.GetAsync("/api/v1/swarm/tasks?state=Queued", ct);
        using var otherTeam = await TeamSession.CreateAsync(_app, ct);
        using var stranger = await PersonAtTheQueenAsync(otherTeam, "admin", ct);
        var strangersView = await PageAsync(stranger, "", ct);

        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        Assert.Equal([submitted[0]], Ids(cancelledPage));
        Assert.Equal([submitted[2]], Ids(firstQueued));
        Assert.Equal([submitted[1]], Ids(secondQueued));
        Assert.Equal(JsonValueKind.Null, secondQueued.GetProperty("next_cursor").ValueKind);
        Assert.Equal(HttpStatusCode.Forbidden, viewerSubmits.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        Assert.Empty(Ids(strangersView));
    }

    [Fact]
    public async Task Quarantines_list_the_teams_open_circuits_with_the_time_left()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        var teamId = await swarm.Team.TeamIdAsync(ct);
        // A circuit opens only after a kind crash-loops through every attempt (SwarmRecoveryTests does that with real
        // processes); here the ledger's rows are written as the queen writes them, to read them back.
        await using (var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct)))
        await using (var insert = db.CreateCommand("""
            INSERT INTO swarm_circuits (team_id, kind, opened_at, open_until)
            VALUES ($1, 'open-kind', now(), now() + interval '120 seconds'), ($1, 'closed-kind', now() - interval '1 hour', now() - interval '1 minute')
            """))
        {
            insert.Parameters.Add(new() { Value = teamId });
            await insert.ExecuteNonQueryAsync(ct);
        }

        var quarantines = await GetAsync(swarm.Queen, "/api/v1/swarm/quarantines", ct);
        var others = await GetAsync(other.Queen, "/api/v1/swarm/quarantines", ct);

        var open = Assert.Single(quarantines.EnumerateArray());
        Assert.Equal("open-kind", open.GetProperty("kind").GetString());
        Assert.InRange(open.GetProperty("seconds_left").GetInt32(), 60, 120);
        Assert.True(open.GetProperty("open_until").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Empty(others.EnumerateArray());
    }

    /// <summary>A person of the team, registered and signed in, calling the queen with the access token as the console does.</summary>
    private async Task<HttpClient> PersonAtTheQueenAsync(TeamSession team, string role, CancellationToken ct)
    {
        var person = await People.RegisterAsync(team.Client, role, ct);
        var tokens = await People.LoginAsync(_app, person, ct);
        var queen = _app.App.CreateHttpClient("swarm-queen", "http");
        queen.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        return queen;
    }

    private static Task<JsonElement> PageAsync(HttpClient queen, string query, CancellationToken ct) =>
        GetAsync(queen, $"/api/v1/swarm/tasks?{query}", ct);

    private static async Task<JsonElement> GetAsync(HttpClient queen, string path, CancellationToken ct)
    {
        using var response = await queen.GetAsync(path, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TeamSession.ReadAsync(response, ct);
    }

    private static List<Guid> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToList();
}
