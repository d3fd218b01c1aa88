using Aspire.Hosting.ApplicationModel;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cognive.Hosting.Swarm;

/// <summary>
/// The AppHost's control endpoint for the queen (see <see cref="SwarmControlExtensions.WithSwarmControl"/>):
/// <c>POST /kinds/{kind}/replicas/{replica}/restart|recreate</c> and <c>POST /kinds/{kind}/scale-up|scale-down</c>, with the run's
/// bearer token, on 127.0.0.1 only. It acts through Aspire's resource commands, as the dashboard would.
/// </summary>
internal sealed class SwarmControlServer(SwarmControl control, ResourceNotificationService notifications, ResourceCommandService commands,
    ILogger<SwarmControlServer> logger) : BackgroundService
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, ResourceEvent> _replicas = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var owned = control.Listener;
        var listener = owned.Listener;
        _ = WatchReplicasAsync(stoppingToken);
        await using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
            {
                return;
            }

            _ = AnswerAsync(context, stoppingToken);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken ct)
    {
        try
        {
            var (status, detail) = IsAuthorized(context.Request)
                ? await ActAsync(context.Request, ct)
                : (HttpStatusCode.Unauthorized, "a bearer token is required");
            context.Response.StatusCode = (int)status;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(detail), ct);
            context.Response.Close();
        }
        catch (Exception e)
        {
            // The queen went away (or the AppHost is stopping, or the request was malformed); it records the action as
            // failed and tries again later. One request never stops the server.
            logger.LogWarning(e, "Swarm control request failed");
            context.Response.Abort();
        }
    }

    private bool IsAuthorized(HttpListenerRequest request) =>
        request.Headers["Authorization"] is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..]), Encoding.UTF8.GetBytes(control.Token));

    private async Task<(HttpStatusCode, string)> ActAsync(HttpListenerRequest request, CancellationToken ct)
    {
        var segments = request.Url!.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (request.HttpMethod != "POST" || segments is not ["kinds", var kindName, ..] ||
            control.Kinds.FirstOrDefault(k => k.Name == kindName) is not { } kind)
        {
            return (HttpStatusCode.NotFound, "no such kind or command");
        }

        return segments switch
        {
            [_, _, "scale-up"] => await ScaleUpAsync(kind, ct),
            [_, _, "scale-down"] => await ScaleDownAsync(kind, ct),
            [_, _, "replicas", var replica, "restart"] when IsReplicaOf(kind, replica) => await RestartAsync(replica, ct),
            [_, _, "replicas", var replica, "recreate"] when IsReplicaOf(kind, replica) => await RecreateAsync(replica, ct),
            _ => (HttpStatusCode.NotFound, "no such replica or command"),
        };
    }

    /// <summary>A graceful restart through Aspire; a replica that is gone (or will not stop) is started again.</summary>
    private async Task<(HttpStatusCode, string)> RestartAsync(string replica, CancellationToken ct)
    {
        if (IsRunning(replica))
        {
            var restarted = await commands.ExecuteCommandAsync(replica, KnownResourceCommands.RestartCommand, ct);
            if (restarted.Success)
            {
                return Done($"{replica} restarted");
            }

            logger.LogWarning("Restarting {Replica} failed ({Reason}); recreating it", replica, restarted.Message);
        }

        return await RecreateAsync(replica, ct);
    }

    /// <summary>Kills the replica's process tree (if any is left), waits for Aspire to see it exit, and starts it afresh.</summary>
    private async Task<(HttpStatusCode, string)> RecreateAsync(string replica, CancellationToken ct)
    {
        if (IsRunning(replica) && LauncherPid(replica) is { } pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }

            var deadline = DateTime.UtcNow + ExitTimeout;
            while (IsRunning(replica) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }

        return await StartAsync(replica, $"{replica} started afresh", ct);
    }

    private async Task<(HttpStatusCode, string)> ScaleUpAsync(SwarmKind kind, CancellationToken ct)
    {
        var idle = _replicas.Values.Where(e => e.Resource == kind.Spare && !IsRunning(e.ResourceId))
            .Select(e => e.ResourceId).Order().FirstOrDefault();
        return idle is null
            ? (HttpStatusCode.Conflict, $"'{kind.Name}' has no spare replica left to start")
            : await StartAsync(idle, $"spare {idle} started", ct);
    }

    /// <summary>Stops a running spare (never a replica of the pool); 404 when none runs: nothing is left to take back.</summary>
    private async Task<(HttpStatusCode, string)> ScaleDownAsync(SwarmKind kind, CancellationToken ct)
    {
        var running = _replicas.Values.Where(e => e.Resource == kind.Spare && IsRunning(e.ResourceId))
            .Select(e => e.ResourceId).Order().FirstOrDefault();
        if (running is null)
        {
            return (HttpStatusCode.NotFound, $"'{kind.Name}' has no spare replica running");
        }

        var stopped = await commands.ExecuteCommandAsync(running, KnownResourceCommands.StopCommand, ct);
        return stopped.Success ? Done($"spare {running} stopped") : (HttpStatusCode.BadGateway, $"{running} could not be stopped: {stopped.Message}");
    }

    private async Task<(HttpStatusCode, string)> StartAsync(string replica, string done, CancellationToken ct)
    {
        var started = await commands.ExecuteCommandAsync(replica, KnownResourceCommands.StartCommand, ct);
        return started.Success ? Done(done) : (HttpStatusCode.BadGateway, $"{replica} could not be started: {started.Message}");
    }

    private (HttpStatusCode, string) Done(string detail)
    {
        logger.LogInformation("Swarm control: {Detail}", detail);
        return (HttpStatusCode.OK, detail);
    }

    private bool IsReplicaOf(SwarmKind kind, string replica) =>
        _replicas.TryGetValue(replica, out var replicaEvent) && (replicaEvent.Resource == kind.Pool || replicaEvent.Resource == kind.Spare);

    private bool IsRunning(string replica) => _replicas.TryGetValue(replica, out var replicaEvent) &&
        replicaEvent.Snapshot.State?.Text is { } state && (state == KnownResourceStates.Running || state == KnownResourceStates.Starting);

    private int? LauncherPid(string replica) =>
        _replicas[replica].Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value?.ToString() is { } pid
            ? int.Parse(pid, CultureInfo.InvariantCulture)
            : null;

    private async Task WatchReplicasAsync(CancellationToken ct)
    {
        var watched = control.Kinds.SelectMany(k => new[] { k.Pool, k.Spare }).OfType<IResource>().ToHashSet();
        try
        {
            await foreach (var update in notifications.WatchAsync(ct))
            {
                if (watched.Contains(update.Resource))
                {
                    _replicas[update.ResourceId] = update;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
