using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Swarm;

/// <summary>The swarm team the AppHost's agent processes join, seen through the queen with its key, and those processes.</summary>
public sealed class SwarmAgentProcesses(CogniveApp app) : IDisposable
{
    public HttpClient Queen { get; } = CreateQueen(app);

    public async Task<List<JsonElement>> InstancesAsync(CancellationToken ct)
    {
        using var response = await Queen.GetAsync("/api/v1/swarm/agents", ct);
        return (await TeamSession.ReadAsync(response, ct)).EnumerateArray().ToList();
    }

    public async Task<List<JsonElement>> LiveAsync(string kind, CancellationToken ct) =>
        (await InstancesAsync(ct)).Where(i => i.GetProperty("kind").GetString() == kind && IsLive(i)).ToList();

    public async Task<JsonElement> InstanceAsync(Guid instanceId, CancellationToken ct) =>
        (await InstancesAsync(ct)).Single(i => i.GetProperty("instance_id").GetGuid() == instanceId);

    public async Task<List<JsonElement>> RecoveriesAsync(CancellationToken ct)
    {
        using var response = await Queen.GetAsync("/api/v1/swarm/recoveries?limit=500", ct);
        return (await TeamSession.ReadAsync(response, ct)).EnumerateArray().Reverse().ToList();
    }

    public async Task<JsonElement> SubmitAsync(object task, CancellationToken ct)
    {
        using var response = await Queen.PostAsJsonAsync("/api/v1/swarm/tasks", task, ct);
        return await TeamSession.ReadAsync(response, ct);
    }

    public async Task<JsonElement> TaskAsync(Guid taskId, CancellationToken ct)
    {
        using var response = await Queen.GetAsync($"/api/v1/swarm/tasks/{taskId}", ct);
        return await TeamSession.ReadAsync(response, ct);
    }

    /// <summary>The service process of the replica an instance runs in (its host), or null when that replica is not running.</summary>
    public int? ProcessOf(JsonElement instance) => app.ReplicaProcessId(instance.GetProperty("host").GetString()!);

    /// <summary>The swarm team's audit records of an action, straight from the database.</summary>
    public async Task<long> AuditCountAsync(string action, CancellationToken ct)
    {
        await using var db = new NpgsqlConnection(await app.GetConnectionStringAsync("cognive", ct));
        await db.OpenAsync(ct);
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM audit_records WHERE actor = 'swarm-queen' AND action = $1", db);
        count.Parameters.AddWithValue(action);
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }

    public static bool IsLive(JsonElement instance) => instance.GetProperty("state").GetString() is "idle" or "busy";

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose() => Queen.Dispose();

    private static HttpClient CreateQueen(CogniveApp app)
    {
        var queen = app.App.CreateHttpClient("swarm-queen", "http");
        queen.DefaultRequestHeaders.Add("X-API-Key",
            File.ReadAllText(Path.Combine(app.StateFolder, Cognive.Hosting.CogniveServersExtensions.SwarmKeyFileName)).Trim());
        return queen;
    }
}
