using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cognive.Agents.Swarm;

/// <summary>
/// Joins the swarm as one instance: registers with the queen, heartbeats, leases tasks its handlers can run (at most
/// <see cref="MaxConcurrency"/> at once), reports each as a run of its agent, and on SIGTERM stops leasing, finishes
/// what it holds and leaves. Without a key (<c>Cognive:Agents:ApiKeyFile</c>) it does not join.
/// </summary>
public sealed class SwarmMember(IHttpClientFactory clients, IEnumerable<ITaskHandler> handlers, IConfiguration configuration,
    ILogger<SwarmMember> logger) : BackgroundService
{
    public const string KeyFileSetting = "Cognive:Agents:ApiKeyFile";
    private const int MaxConcurrency = 2;
    private const string AgentName = "swarm-worker";
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly Guid _instanceId = Guid.NewGuid();
    private readonly Dictionary<string, ITaskHandler> _handlers = handlers.ToDictionary(h => h.Type);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configuration[KeyFileSetting] is not { Length: > 0 } keyFile || !File.Exists(keyFile))
        {
            logger.LogInformation("No swarm key configured: not joining the swarm");
            return;
        }

        var key = (await File.ReadAllTextAsync(keyFile, stoppingToken)).Trim();
        using var api = Client("https+http://api", key);
        using var queen = Client("https+http://swarm-queen", key);
        var agentId = await UntilDoneAsync(() => EnsureAgentAsync(api, stoppingToken), "register the agent", stoppingToken);
        await UntilDoneAsync(() => RegisterAsync(queen, agentId, stoppingToken), "join the swarm", stoppingToken);
        logger.LogInformation("Joined the swarm as instance {InstanceId} of agent {AgentId}", _instanceId, agentId);

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
        using var left = await queen.DeleteAsync($"/api/v1/swarm/agents/{_instanceId}", CancellationToken.None);
        logger.LogInformation("Left the swarm ({Status})", (int)left.StatusCode);
    }

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

    private async Task<bool> RegisterAsync(HttpClient queen, Guid agentId, CancellationToken ct)
    {
        using var response = await queen.PutAsJsonAsync($"/api/v1/swarm/agents/{_instanceId}", new
        {
            agent_id = agentId, capabilities = _handlers.Keys.ToArray(), version = typeof(SwarmMember).Assembly.GetName().Version?.ToString() ?? "0",
            max_concurrency = MaxConcurrency,
        }, ct);
        response.EnsureSuccessStatusCode();
        return true;
    }

    private async Task HeartbeatAsync(HttpClient queen, Guid agentId, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    using var beat = await queen.PostAsync($"/api/v1/swarm/agents/{_instanceId}/heartbeat", null, ct);
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
            using var response = await queen.PostAsync($"/api/v1/swarm/agents/{_instanceId}/lease", null, ct);
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
                result = await handler.RunAsync(payload, new TaskContext(api, agentId, runId), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = $"{e.GetType().Name}: {e.Message}";
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
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            // The lease lapses and the task goes back to the queue.
            logger.LogWarning("Task {TaskId} could not be run or reported: {Reason}", taskId, e.Message);
        }
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
