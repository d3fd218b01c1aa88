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
    private readonly SwarmSession _session = SwarmSession.OfTheAgents(app);

    public HttpClient Queen => _session.Queen;

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

    /// <summary>The kinds the swarm team owns, with the replicas recovery added to each.</summary>
    public async Task<List<JsonElement>> KindsAsync(CancellationToken ct)
    {
        using var response = await Queen.GetAsync("/api/v1/swarm/kinds", ct);
        return (await TeamSession.ReadAsync(response, ct)).EnumerateArray().ToList();
    }

    public Task<JsonElement> TaskAsync(Guid taskId, CancellationToken ct) => _session.TaskAsync(taskId, ct);

    public Task<Guid> SubmitAsync(object task, CancellationToken ct) => _session.SubmitAsync(task, ct);

    /// <summary>
    /// The agent process an instance runs in, found as the agent finds its host: Aspire's service name and instance id in
    /// its environment. Null when no such process lives (not started yet, or already gone).
    /// </summary>
    public static int? ProcessOf(JsonElement instance)
    {
        var host = instance.GetProperty("host").GetString();
        return Directory.EnumerateDirectories("/proc")
            .Select(folder => int.TryParse(Path.GetFileName(folder), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ServerProcesses.CommandLine(pid).StartsWith(AgentBinary, StringComparison.Ordinal))
            .Select(pid => (int?)pid)
            .FirstOrDefault(pid => ServerProcesses.IsAlive(pid!.Value) && HostOf(pid.Value) == host);
    }

    private static readonly string AgentBinary =
        Path.Combine(Path.GetDirectoryName(typeof(SwarmAgentProcesses).Assembly.Location)!.Replace("Cognive.Tests", "Cognive.Agents"), "Cognive.Agents");

    private static string? HostOf(int pid) =>
        ServerProcesses.EnvironmentVariable(pid, "OTEL_RESOURCE_ATTRIBUTES")?.Split(',').Select(a => a.Split('=', 2))
            .FirstOrDefault(pair => pair is ["service.instance.id", _]) is [_, var instanceId]
            ? $"{ServerProcesses.EnvironmentVariable(pid, "OTEL_SERVICE_NAME")}-{instanceId}"
            : null;

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

    public void Dispose() => _session.Dispose();
}
