using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cognive.Agents.Swarm;

/// <summary>
/// Joins the swarm as one instance: registers with the queen, heartbeats, leases tasks its handlers can run (at most
/// <see cref="MaxConcurrency"/> at once), reports each as a run of its agent, and on SIGTERM stops leasing, finishes
/// what it holds and leaves. Its key is <c>Cognive:Agents:ApiKey</c> (published: a Secret) or the file
/// <c>Cognive:Agents:ApiKeyFile</c> names (locally); without one it does not join.
/// </summary>
public sealed class SwarmMember(IHttpClientFactory clients, IEnumerable<ITaskHandler> handlers, IConfiguration configuration,
    IServer server, IHostApplicationLifetime lifetime, ILogger<SwarmMember> logger) : BackgroundService
{
    public const string KeyFileSetting = "Cognive:Agents:ApiKeyFile";
    public const string KeySetting = "Cognive:Agents:ApiKey";
    public const string HeartbeatSetting = "Cognive:Agents:HeartbeatSeconds";
    private const int MaxConcurrency = 2;
    private const string AgentName = "swarm-worker";
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    // The queen grants 30-second leases; renewing at a third of that survives a missed renewal.
    private static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);

    private readonly SwarmIdentity _identity = SwarmIdentity.FromEnvironment(configuration);
    private readonly TimeSpan _heartbeatInterval = TimeSpan.FromSeconds(configuration.GetValue(HeartbeatSetting, 3.0));
    private readonly Dictionary<string, ITaskHandler> _handlers = handlers.ToDictionary(h => h.Type);
    private string? _readinessUrl;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await ReadKeyAsync(stoppingToken) is not { } key)
        {
            logger.LogInformation("No swarm key configured: not joining the swarm");
            return;
        }

        _readinessUrl = await LocalReadinessUrlAsync(stoppingToken);
        using var api = Client("https+http://api", key);
        using var queen = Client("https+http://swarm-queen", key);
        var agentId = await UntilDoneAsync(() => EnsureAgentAsync(api, stoppingToken), "register the agent", stoppingToken);
        await UntilDoneAsync(() => RegisterAsync(queen, agentId, stoppingToken), "join the swarm", stoppingToken);
        logger.LogInformation("Joined the swarm as instance {InstanceId} ({Kind} on {Host}) of agent {AgentId}", _identity.InstanceId,
            _identity.Kind, _identity.Host, agentId);

        var heartbeats = HeartbeatAsync(queen, agentId, stoppingToken);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            var task = running.Count < MaxConcurrency ? await LeaseAsync(queen, stoppingToken) : null;
            if (task is { } leased)
            {
                // Runs to its end even when stopping: a clean exit finishes what it holds.
                running.Add(RunAsync(api, queen, agentId, leased, CancellationToken.None));
            }
            else
            {
                await Task.Delay(IdlePoll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await Task.WhenAll(running);
        await heartbeats;
        using var left = await queen.DeleteAsync($"/api/v1/swarm/agents/{_identity.InstanceId}", CancellationToken.None);
        logger.LogInformation("Left the swarm ({Status})", (int)left.StatusCode);
    }

    private async Task<string?> ReadKeyAsync(CancellationToken ct) =>
        configuration[KeySetting] is { Length: > 0 } key ? key.Trim()
        : configuration[KeyFileSetting] is { Length: > 0 } keyFile && File.Exists(keyFile) ? (await File.ReadAllTextAsync(keyFile, ct)).Trim()
        : null;

    private HttpClient Client(string address, string key)
    {
        var client = clients.CreateClient();
        client.BaseAddress = new Uri(address);
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private static async Task<Guid> EnsureAgentAsync(HttpClient api, CancellationToken ct)
    {
        using var created = await api.PostAsJsonAsync("/api/v1/agents", new { name = AgentName, framework = "cognive-agents" }, ct);
        if (created.StatusCode != HttpStatusCode.Conflict)
        {
            created.EnsureSuccessStatusCode();
            return (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("agent_id").GetGuid();
        }

        var agents = await api.GetFromJsonAsync<JsonElement>("/api/v1/agents?limit=200", ct);
        return agents.GetProperty("items").EnumerateArray().First(a => a.GetProperty("name").GetString() == AgentName)
            .GetProperty("agent_id").GetGuid();
    }

    /// <summary>Registers; while our kind is quarantined (it crash-looped), waits until the queen says it may join.</summary>
    private async Task<bool> RegisterAsync(HttpClient queen, Guid agentId, CancellationToken ct)
    {
        while (true)
        {
            using var response = await queen.PutAsJsonAsync($"/api/v1/swarm/agents/{_identity.InstanceId}", new
            {
                agent_id = agentId, capabilities = _handlers.Keys.ToArray(), version = typeof(SwarmMember).Assembly.GetName().Version?.ToString() ?? "0",
                max_concurrency = MaxConcurrency, kind = _identity.Kind, host = _identity.Host, readiness_url = _readinessUrl,
            }, ct);
            if (response.StatusCode == HttpStatusCode.Conflict && response.Headers.RetryAfter?.Delta is { } quarantined)
            {
                logger.LogWarning("Kind {Kind} is quarantined: joining again in {Wait}", _identity.Kind, quarantined);
                await Task.Delay(quarantined, ct);
                continue;
            }

            response.EnsureSuccessStatusCode();
            return true;
        }
    }

    private async Task HeartbeatAsync(HttpClient queen, Guid agentId, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_heartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    using var beat = await queen.PostAsync($"/api/v1/swarm/agents/{_identity.InstanceId}/heartbeat", null, ct);
                    if (beat.StatusCode == HttpStatusCode.NotFound)
                    {
                        // Declared dead while we were away (paused, cut off): join again; our old leases were released.
                        await RegisterAsync(queen, agentId, ct);
                    }
                }
                catch (HttpRequestException e)
                {
                    logger.LogWarning("Heartbeat failed: {Reason}", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task<JsonElement?> LeaseAsync(HttpClient queen, CancellationToken ct)
    {
        try
        {
            using var response = await queen.PostAsync($"/api/v1/swarm/agents/{_identity.InstanceId}/lease", null, ct);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>(ct) : null;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Lease failed: {Reason}", e.Message);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Runs a leased task as a run of the agent and reports the outcome with the lease's fencing token.</summary>
    private async Task RunAsync(HttpClient api, HttpClient queen, Guid agentId, JsonElement task, CancellationToken ct)
    {
        var taskId = task.GetProperty("id").GetGuid();
        var token = task.GetProperty("fencing_token").GetInt64();
        using var finished = new CancellationTokenSource();
        var renewals = RenewAsync(queen, taskId, token, finished.Token);
        try
        {
            using var started = await api.PostAsJsonAsync("/api/v1/runs/start", new { agent_id = agentId, metadata = new { task_id = taskId } }, ct);
            var runId = (await started.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("run_id").GetGuid();
            var handler = _handlers[task.GetProperty("type").GetString()!];
            var payload = task.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null ? p : (JsonElement?)null;
            object? result = null;
            string? error = null;
            try
            {
                result = await handler.RunAsync(payload, new TaskContext(api, queen, agentId, runId), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The queen refuses control characters in any text: a multi-line message is reported on one line.
                error = string.Concat($"{e.GetType().Name}: {e.Message}".Select(c => char.IsControl(c) ? ' ' : c));
            }

            using var ended = await api.PostAsJsonAsync($"/api/v1/runs/{runId}/end", new { status = error is null ? "succeeded" : "failed" }, ct);
            using var outcome = error is null
                ? await queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{taskId}/complete", new { fencing_token = token, result }, ct)
                : await queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{taskId}/fail", new { fencing_token = token, error }, ct);
            if (outcome.StatusCode == HttpStatusCode.Conflict)
            {
                logger.LogWarning("Task {TaskId} was taken over before it finished here; its outcome was refused", taskId);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The lease lapses and the task goes back to the queue; this instance goes on with its next task.
            logger.LogWarning(e, "Task {TaskId} could not be run or reported", taskId);
        }
        finally
        {
            await finished.CancelAsync();
            await renewals;
        }
    }

    /// <summary>Keeps the lease while the task runs; stops when it is refused (the task was taken over) or the task ends.</summary>
    private async Task RenewAsync(HttpClient queen, Guid taskId, long token, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(RenewInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    using var renewed = await queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{taskId}/renew", new { fencing_token = token }, ct);
                    if (renewed.StatusCode == HttpStatusCode.Conflict)
                    {
                        logger.LogWarning("Task {TaskId}: lease lost; it was handed to another instance", taskId);
                        return;
                    }
                }
                catch (HttpRequestException e)
                {
                    logger.LogWarning("Task {TaskId}: renewal failed: {Reason}", taskId, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The task ended.
        }
    }

    /// <summary>
    /// Where the queen can probe this process's readiness: <c>Cognive:Agents:ReadinessUrl</c>, or in local runs the
    /// loopback address it listens on. Elsewhere (a pod) none is guessed: heartbeats and task progress still watch it.
    /// </summary>
    private async Task<string?> LocalReadinessUrlAsync(CancellationToken ct)
    {
        if (configuration["Cognive:Agents:ReadinessUrl"] is { Length: > 0 } configured)
        {
            return configured;
        }

        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(ct);
        }

        return server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(address => new Uri(address))
            .Where(address => address.IsLoopback && address.Scheme == Uri.UriSchemeHttp)
            .Select(address => new Uri(address, "/health/readiness").ToString())
            .FirstOrDefault();
    }

    private async Task<T> UntilDoneAsync<T>(Func<Task<T>> attempt, string what, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (HttpRequestException e)
            {
                logger.LogWarning("Could not {What} yet: {Reason}", what, e.Message);
                await Task.Delay(RetryDelay, ct);
            }
        }
    }
}
