using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Client;
using Cognive.Client.Api;
using Cognive.Client.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Cognive.Agents.Swarm;

/// <summary>
/// Joins the swarm as one instance: registers with the queen, heartbeats, leases tasks its handlers can run (at most
/// <see cref="MaxConcurrency"/> at once), reports each as a run of its agent, and on SIGTERM stops leasing, finishes
/// what it holds and leaves. It talks to the control plane through Cognive's SDK (<see cref="CogniveClient"/>), with the
/// swarm key (<c>Cognive:Agents:ApiKey</c>, published as a Secret, or the file <c>Cognive:Agents:ApiKeyFile</c> names,
/// locally); without one it is not registered (<see cref="SwarmExtensions"/>).
/// </summary>
public sealed class SwarmMember(IHttpClientFactory clients, CogniveClient cognive, IOptions<CogniveClientOptions> cogniveOptions,
    IEnumerable<ITaskHandler> handlers, IConfiguration configuration, IServer server, IHostApplicationLifetime lifetime,
    ILogger<SwarmMember> logger) : BackgroundService
{
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
        _readinessUrl = await LocalReadinessUrlAsync(stoppingToken);
        // Handlers read the API with the SDK's own client (its address and key); the queen takes the same key.
        using var api = clients.CreateClient(CogniveApi.HttpClientName);
        using var queen = Client("https+http://swarm-queen", cogniveOptions.Value.Key!);
        var agentId = await UntilDoneAsync(() => EnsureAgentAsync(stoppingToken), "register the agent", stoppingToken);
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

    private HttpClient Client(string address, string key)
    {
        var client = clients.CreateClient();
        client.BaseAddress = new Uri(address);
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private async Task<Guid> EnsureAgentAsync(CancellationToken ct)
    {
        try
        {
            return (await cognive.Api.RegisterAgentAsync(new RegisterAgent(AgentName, "cognive-agents"), ct)).AgentId;
        }
        catch (CogniveApiException e) when (e.Status == HttpStatusCode.Conflict)
        {
            return (await cognive.Api.ListAgentsAsync(name: AgentName, ct: ct)).Items.First(a => a.Name == AgentName).AgentId;
        }
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
            string? error = null;
            object? result = null;
            await using (var run = await cognive.StartRunAsync(agentId, JsonSerializer.SerializeToElement(new { task_id = taskId }), ct))
            {
                try
                {
                    // The run is ambient: the handler's model calls (UseCognive) are checked and reported as its calls.
                    result = await RunHandlerAsync(task, new TaskContext(api, queen, agentId, run.RunId), ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The queen refuses control characters in any text: a multi-line message is reported on one line.
                    error = string.Concat($"{e.GetType().Name}: {e.Message}".Select(c => char.IsControl(c) ? ' ' : c));
                    run.Fail(error);
                }
            }

            // The run's end (queued behind its calls) is recorded before the queen hears the outcome: a task seen done
            // has its run ended.
            await cognive.FlushAsync(ct: ct);
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

    private Task<object> RunHandlerAsync(JsonElement task, TaskContext context, CancellationToken ct)
    {
        var handler = _handlers[task.GetProperty("type").GetString()!];
        var payload = task.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null ? p : (JsonElement?)null;
        return handler.RunAsync(payload, context, ct);
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
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // A timeout too: an API still starting on a busy machine answers late, which is no reason to stop.
                logger.LogWarning("Could not {What} yet: {Reason}", what, e.Message);
                await Task.Delay(RetryDelay, ct);
            }
        }
    }
}
