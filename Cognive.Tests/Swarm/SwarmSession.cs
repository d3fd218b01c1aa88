using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Swarm;

/// <summary>A team talking to the Swarm Queen with its first API key, as its agents and operators would.</summary>
public sealed class SwarmSession(HttpClient queen, TeamSession team) : IDisposable
{
    public HttpClient Queen { get; } = queen;

    public TeamSession Team { get; } = team;

    public static async Task<SwarmSession> CreateAsync(CogniveApp app, CancellationToken ct) => For(app, await Tenants.CreateTeamAsync(app, ct));

    /// <summary>The team the AppHost's agent processes join, with the key the migrations left in the state folder.</summary>
    public static SwarmSession OfTheAgents(CogniveApp app) =>
        For(app, File.ReadAllText(Path.Combine(app.StateFolder, Cognive.Hosting.CogniveServersExtensions.SwarmKeyFileName)).Trim());

    /// <summary>The installation's admin team, which grants agent kinds to teams.</summary>
    public static SwarmSession OfTheAdmins(CogniveApp app) => For(app, app.AdminApiKey);

    /// <summary>Makes <paramref name="teamId"/> the owner of <paramref name="kind"/>, as an operator would.</summary>
    public static async Task GrantKindAsync(CogniveApp app, string kind, Guid teamId, CancellationToken ct)
    {
        using var admins = OfTheAdmins(app);
        using var granted = await admins.Queen.PutAsJsonAsync($"/api/v1/swarm/kinds/{kind}", new { team_id = teamId }, ct);
        Assert.Equal(HttpStatusCode.NoContent, granted.StatusCode);
    }

    private static SwarmSession For(CogniveApp app, string key)
    {
        var queen = app.App.CreateHttpClient("swarm-queen", "http");
        queen.DefaultRequestHeaders.Add("X-API-Key", key);
        return new SwarmSession(queen, new TeamSession(app.CreateApiClient(key)));
    }

    /// <summary>A new instance of a new agent of the team, taking <paramref name="capabilities"/>.</summary>
    public async Task<Guid> RegisterInstanceAsync(string[] capabilities, CancellationToken ct, int maxConcurrency = 4)
    {
        var agentId = await Team.RegisterAgentAsync($"swarm-{Guid.NewGuid():N}", ct);
        var instanceId = Guid.NewGuid();
        using var response = await Queen.PutAsJsonAsync($"/api/v1/swarm/agents/{instanceId}",
            new { agent_id = agentId, capabilities, version = "1.0.0", max_concurrency = maxConcurrency }, ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return instanceId;
    }

    public async Task<Guid> SubmitAsync(object task, CancellationToken ct)
    {
        using var response = await Queen.PostAsJsonAsync("/api/v1/swarm/tasks", task, ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await TeamSession.ReadAsync(response, ct)).GetProperty("task_id").GetGuid();
    }

    /// <summary>The next task for the instance, or null when none is waiting for it.</summary>
    public async Task<JsonElement?> LeaseAsync(Guid instanceId, CancellationToken ct, int leaseSeconds = 30)
    {
        using var response = await Queen.PostAsync($"/api/v1/swarm/agents/{instanceId}/lease?lease_seconds={leaseSeconds}", null, ct);
        return response.StatusCode == HttpStatusCode.NoContent ? null : await TeamSession.ReadAsync(response, ct);
    }

    public Task<HttpResponseMessage> CompleteAsync(Guid taskId, long fencingToken, CancellationToken ct) =>
        Queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{taskId}/complete", new { fencing_token = fencingToken, result = new { ok = true } }, ct);

    public async Task<JsonElement> TaskAsync(Guid taskId, CancellationToken ct)
    {
        using var response = await Queen.GetAsync($"/api/v1/swarm/tasks/{taskId}", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TeamSession.ReadAsync(response, ct);
    }

    public void Dispose()
    {
        Queen.Dispose();
        Team.Dispose();
    }
}
