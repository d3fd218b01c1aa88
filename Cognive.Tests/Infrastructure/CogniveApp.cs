using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Cognive.Tests.Infrastructure;

/// <summary>The real AppHost booted through Aspire.Hosting.Testing, servers as processes, in a given state folder.</summary>
public sealed class CogniveApp : IAsyncDisposable
{
    public static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The services that take calls in and store them.</summary>
    public static readonly IReadOnlyCollection<string> IngestionServices = ["api", "workers"];

    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new();
    private readonly CancellationTokenSource _stopWatching = new();
    private readonly IReadOnlySet<string> _oneShotNames;

    private CogniveApp(DistributedApplication app, string stateFolder, IReadOnlySet<string> oneShotNames)
    {
        App = app;
        StateFolder = stateFolder;
        _oneShotNames = oneShotNames;
        _ = RecordStatesAsync();
        Faults = new ResourceFaults(app, _stopWatching.Token);
    }

    public DistributedApplication App { get; }

    public string StateFolder { get; }

    /// <summary>What the resources logged as faults since the app was built.</summary>
    public ResourceFaults Faults { get; }

    public IReadOnlyList<IResource> Resources =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources.ToList();

    /// <summary>Resources that start with the app and run until stopped: no parameters, one-shot resources,
    /// or resources started only on demand (Aspire's hidden project rebuilders among them).</summary>
    public IEnumerable<IResource> LongRunningResources => Resources.Where(r =>
        r is not ParameterResource &&
        !OneShotResources.Contains(r) &&
        !r.HasAnnotationOfType<ExplicitStartupAnnotation>());

    /// <summary>
    /// Resources that others wait to complete in the whole app model: the database initialiser and the migrations. Taken
    /// from the whole model, not the booted part: a boot without the agents has nothing left that waits for the
    /// migrations, which would then count as long-running, and a wait for them to be healthy failed once they finished.
    /// </summary>
    public IReadOnlySet<IResource> OneShotResources => Resources.Where(r => _oneShotNames.Contains(r.Name)).ToHashSet();

    public static async Task<DistributedApplication> BuildAsync(string stateFolder, IEnumerable<string> extraArgs, CancellationToken ct) =>
        (await BuildCoreAsync(stateFolder, extraArgs, null, ct)).App;

    /// <summary>Boots the app and waits until every long-running resource is healthy.</summary>
    public static async Task<CogniveApp> StartAsync(string stateFolder, CancellationToken ct) => await StartAsync(stateFolder, [], ct);

    /// <summary>Boots the app with extra AppHost arguments (settings such as <c>--Cognive:ApiReplicas=2</c>).</summary>
    public static Task<CogniveApp> StartAsync(string stateFolder, IEnumerable<string> extraArgs, CancellationToken ct) =>
        StartAsync(stateFolder, extraArgs, null, ct);

    /// <summary>
    /// Boots the servers, the migrations and of the services only <paramref name="services"/> (all when null), for a test
    /// of what those alone do: each service costs a boot on two cores 3–7 CPU-seconds (README, "Start-up").
    /// </summary>
    public static async Task<CogniveApp> StartAsync(string stateFolder, IEnumerable<string> extraArgs, IReadOnlyCollection<string>? services,
        CancellationToken ct)
    {
        var (app, oneShotNames) = await BuildCoreAsync(stateFolder, extraArgs, services, ct);
        var started = new CogniveApp(app, stateFolder, oneShotNames);
        try
        {
            await app.StartAsync(ct).WaitAsync(BootTimeout, ct);
            foreach (var resource in started.LongRunningResources)
            {
                await app.ResourceNotifications
                    .WaitForResourceHealthyAsync(resource.Name, WaitBehavior.StopOnResourceUnavailable, ct)
                    .WaitAsync(BootTimeout, ct);
            }
        }
        catch (TimeoutException e)
        {
            await started.DisposeAsync();
            throw new TimeoutException($"Cognive did not become healthy within {BootTimeout}: {started.DescribeStates()}", e);
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }

        return started;
    }

    public HttpClient CreateHttpClient(string resourceName) => App.CreateHttpClient(resourceName, "http");

    /// <summary>The admin team's first API key, which the migrations wrote into the state folder.</summary>
    public string AdminApiKey =>
        File.ReadAllText(Path.Combine(StateFolder, Cognive.Hosting.CogniveServersExtensions.BootstrapKeyFileName)).Trim();

    /// <summary>An API client that sends <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient CreateApiClient(string? apiKey)
    {
        var client = CreateHttpClient("api");
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }

        return client;
    }

    public async Task<string> GetConnectionStringAsync(string resourceName, CancellationToken ct) =>
        await App.GetConnectionStringAsync(resourceName, ct) ??
        throw new InvalidOperationException($"{resourceName} has no connection string");

    /// <summary>The current snapshot of every instance (replica) of a resource.</summary>
    public IReadOnlyList<CustomResourceSnapshot> Instances(IResource resource) =>
        _latest.Values.Where(e => e.Resource == resource).Select(e => e.Snapshot).ToList();

    /// <summary>Each resource instance's state and health, for failure messages.</summary>
    public string DescribeStates() => string.Join("; ", _latest.Values.OrderBy(e => e.ResourceId)
        .Select(e => $"{e.ResourceId}={e.Snapshot.State?.Text}/{e.Snapshot.HealthStatus}"));

    /// <summary>
    /// The service process of each running instance of a project resource. DCP reports the pid of the <c>dotnet run</c>
    /// launcher; the service is its descendant whose command line names the project's assembly.
    /// </summary>
    public IReadOnlyList<int> ServiceProcessIds(string resourceName)
    {
        var resource = Resources.Single(r => r.Name == resourceName);
        var assembly = Path.GetFileNameWithoutExtension(((ProjectResource)resource).GetProjectMetadata().ProjectPath);
        return Instances(resource).Where(s => s.State?.Text == KnownResourceStates.Running).Select(instance =>
        {
            var launcher = int.Parse(instance.Properties.Single(p => p.Name == "executable.pid").Value!.ToString()!, CultureInfo.InvariantCulture);
            return ServerProcesses.SelfAndDescendants(launcher).Last(pid => ServerProcesses.CommandLine(pid).Contains(assembly));
        }).ToList();
    }

    /// <summary>Kills a single-instance service with SIGKILL (a crash, no shutdown), then starts it again and waits until healthy.</summary>
    public async Task CrashAndRestartAsync(string resourceName, CancellationToken ct)
    {
        await CrashAsync(resourceName, ct);
        await StartResourceAsync(resourceName, ct);
    }

    /// <summary>Kills a single-instance service with SIGKILL and waits until Aspire sees it exit.</summary>
    public async Task CrashAsync(string resourceName, CancellationToken ct)
    {
        var resource = Resources.Single(r => r.Name == resourceName);
        var pid = ServiceProcessIds(resourceName).Single();
        Process.GetProcessById(pid).Kill();
        await Eventually.HoldsAsync(() => Task.FromResult(!ServerProcesses.IsAlive(pid)), $"the killed {resourceName} is gone", ct);
        await Eventually.HoldsAsync(() => Task.FromResult(Instances(resource).All(s => s.State?.Text != KnownResourceStates.Running)),
            $"Aspire sees {resourceName} exit (pid {pid}): {DescribeStates()}", ct);
    }

    /// <summary>
    /// Stops a resource through Aspire and waits until no instance of it runs. Aspire's stop command reports failure
    /// when the process is still draining after about 15 s (seen in CI: the API waiting on connections DCP's proxy holds
    /// open); the stop was requested all the same, so the process's exit is what the caller waits for.
    /// </summary>
    public async Task StopResourceAsync(string resourceName, CancellationToken ct)
    {
        var resource = Resources.Single(r => r.Name == resourceName);
        var stopped = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, ct);
        await Eventually.HoldsAsync(() => Task.FromResult(Instances(resource).All(s => s.State?.Text != KnownResourceStates.Running)),
            $"{resourceName} has stopped (the stop command said: {stopped.Success} {stopped.Message}): {DescribeStates()}", ct);
    }

    /// <summary>Starts a stopped or crashed resource through Aspire and waits until it is healthy.</summary>
    public async Task StartResourceAsync(string resourceName, CancellationToken ct)
    {
        var resource = Resources.Single(r => r.Name == resourceName);
        var started = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, ct);
        Assert.True(started.Success, started.Message);
        // The command returns once the start is asked for. Until Aspire sees the new process, the state is still how the
        // old one ended, and a wait for health stops at once on such a state: "failed to start" (seen in CI after a crash).
        await App.ResourceNotifications.WaitForResourceAsync(resourceName, e => !IsEndedOrEnding(e.Snapshot), ct).WaitAsync(BootTimeout, ct);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resourceName, ct).WaitAsync(BootTimeout, ct);
    }

    /// <summary>
    /// Stops a server through Aspire, waits until its process (<paramref name="executable"/>) is gone — started again
    /// while the old one still held its port, it failed to start (seen in CI) — then starts it and waits until healthy.
    /// </summary>
    public async Task StopAndStartServerAsync(string resourceName, string executable, CancellationToken ct)
    {
        await StopResourceAsync(resourceName, ct);
        await Eventually.HoldsAsync(() => Task.FromResult(
                ServerProcesses.UsingStateFolder(StateFolder).All(pid => !ServerProcesses.CommandLine(pid).Contains(executable))),
            $"the stopped {resourceName} has exited", ct);
        await StartResourceAsync(resourceName, ct);
    }

    public static bool IsRunningAndHealthy(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy;

    private static bool IsEndedOrEnding(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is not { } state || KnownResourceStates.TerminalStates.Contains(state) ||
        state == KnownResourceStates.Stopping || state == KnownResourceStates.NotStarted;

    public async ValueTask DisposeAsync()
    {
        await _stopWatching.CancelAsync();
        await App.DisposeAsync();
    }

    private async Task RecordStatesAsync()
    {
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(_stopWatching.Token))
            {
                _latest[update.ResourceId] = update;
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private static async Task<(DistributedApplication App, IReadOnlySet<string> OneShotNames)> BuildCoreAsync(string stateFolder,
        IEnumerable<string> extraArgs, IReadOnlyCollection<string>? services, CancellationToken ct)
    {
        string[] args = ["--Cognive:Servers=processes", $"--Cognive:StateDir={stateFolder}", .. extraArgs];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Cognive_AppHost>(
            args, (options, _) => options.DisableDashboard = true, ct);
        // A failed test prints what the app logged meanwhile: keep that to what explains a failure. Health checks fail
        // on purpose while tests stop servers and kill agents, and the tests' own HTTP calls are their code.
        builder.Services.AddLogging(logging => logging
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        var oneShotNames = builder.Resources
            .SelectMany(r => r.Annotations.OfType<WaitAnnotation>())
            .Where(w => w.WaitType == WaitType.WaitForCompletion)
            .Select(w => w.Resource.Name)
            .ToHashSet();
        if (services is not null)
        {
            // The services left out go with what Aspire added for each (its hidden rebuilder); the migrations stay: every
            // service's schema is theirs.
            var dropped = builder.Resources.OfType<ProjectResource>()
                .Where(p => p.Name != "migrations" && !services.Contains(p.Name)).ToHashSet<IResource>();
            foreach (var resource in builder.Resources
                         .Where(r => dropped.Contains(r) || r is IResourceWithParent { Parent: var parent } && dropped.Contains(parent)).ToList())
            {
                builder.Resources.Remove(resource);
            }
        }

        return (await builder.BuildAsync(ct), oneShotNames);
    }
}
