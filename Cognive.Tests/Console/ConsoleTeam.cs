using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Console;

/// <summary>A seeded team for console tests: its API-key session (agents, runs, calls, budgets) and people to sign in.</summary>
public sealed class ConsoleTeam(TeamSession session) : IDisposable
{
    public TeamSession Session { get; } = session;

    public static async Task<ConsoleTeam> CreateAsync(SharedApp shared, CancellationToken ct) =>
        new(await TeamSession.CreateAsync(shared.App, ct));

    /// <summary>Registers a person of this team with <paramref name="role"/> (viewer, developer, team_lead, admin).</summary>
    public Task<Person> PersonAsync(string role, CancellationToken ct) => People.RegisterAsync(Session.Client, role, ct);

    /// <summary>An agent named <paramref name="name"/> with one run and <paramref name="calls"/> stored calls.</summary>
    public async Task<(Guid AgentId, Guid RunId)> AgentWithCallsAsync(string name, int calls, CancellationToken ct, string model = "gpt-4o-mini")
    {
        var agentId = await Session.RegisterAgentAsync(name, ct);
        var runId = await Session.StartRunAsync(agentId, ct);
        await ReportAsync(runId, calls, ct, model);
        return (agentId, runId);
    }

    /// <summary>Reports calls and waits until they are stored.</summary>
    public async Task ReportAsync(Guid runId, int calls, CancellationToken ct, string model = "gpt-4o-mini")
    {
        var before = (await Session.GetJsonAsync($"/api/v1/runs/{runId}", ct)).GetProperty("totals").GetProperty("calls").GetInt64();
        using var response = await Session.PostBatchAsync(
            Enumerable.Range(0, calls).Select(_ => TeamSession.Call(model: model, eventId: Guid.NewGuid(), runId: runId)), ct);
        Assert.True(response.IsSuccessStatusCode, $"the calls were refused: {(int)response.StatusCode}");
        await Session.WaitForRunCallsAsync(runId, before + calls, ct);
    }

    public void Dispose() => Session.Dispose();
}
