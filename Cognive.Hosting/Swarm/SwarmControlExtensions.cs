using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Hosting.Swarm;

public static class SwarmControlExtensions
{
    /// <summary>
    /// Local runs: gives the queen the AppHost's control endpoint (loopback, a token made for this run), through which it
    /// restarts, recreates and adds replicas of the agent kinds named here — and nothing else. A kind's spare resource
    /// (started on demand) is what scaling up starts. Published, the queen gets a Kubernetes service account allowed to
    /// delete the kinds' pods and scale their Deployments (<see cref="Kubernetes.SwarmControlManifests"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSwarmControl(this IResourceBuilder<ProjectResource> queen,
        params SwarmKind[] kinds)
    {
        var builder = queen.ApplicationBuilder;
        queen.WithSwarmKinds(kinds);
        if (!builder.ExecutionContext.IsRunMode)
        {
            return queen.WithAnnotation(new SwarmControlAnnotation(kinds.Select(k => k.Name).ToList()));
        }

        var control = new SwarmControl(ControlListener.Open(), Convert.ToHexString(RandomNumberGenerator.GetBytes(32)), kinds);
        builder.Services.AddSingleton(control);
        builder.Services.AddHostedService<SwarmControlServer>();
        // By reference to a secret parameter, as the servers' passwords: the dashboard masks it.
        var token = builder.AddParameter($"{queen.Resource.Name}-control-token", control.Token, secret: true);
        return queen
            .WithEnvironment("Cognive__Swarm__Control__Url", control.Url)
            .WithEnvironment("Cognive__Swarm__Control__Token", token);
    }

    /// <summary>
    /// The kinds, each with its published replica count (<c>Cognive:Swarm:Control:Kinds:{i}:Name|Replicas</c>): the queen's
    /// recovery ports act on these kinds only, and never scale one below its count; the migrations make them the swarm team's.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSwarmKinds(this IResourceBuilder<ProjectResource> service, params SwarmKind[] kinds) =>
        service.WithEnvironment(context =>
        {
            foreach (var (kind, i) in kinds.Select((k, i) => (k, i)))
            {
                context.EnvironmentVariables[$"Cognive__Swarm__Control__Kinds__{i}__Name"] = kind.Name;
                context.EnvironmentVariables[$"Cognive__Swarm__Control__Kinds__{i}__Replicas"] =
                    (kind.Pool.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1).ToString(CultureInfo.InvariantCulture);
            }
        });
}

/// <param name="Name">The kind the instances report (<c>Cognive:Agents:Kind</c>).</param>
/// <param name="Pool">The resource whose replicas are the kind's instances.</param>
/// <param name="Spare">A resource of the same project started only on demand, for scaling up; null when there is none.</param>
public sealed record SwarmKind(string Name, IResource Pool, IResource? Spare);

public sealed record SwarmControl(ControlListener Listener, string Token, IReadOnlyList<SwarmKind> Kinds)
{
    public string Url => Listener.Url;
}

/// <summary>
/// The control endpoint's HTTP listener, listening from the moment the app model names its URL. A port only probed free
/// and bound later is free for anyone meanwhile: the AppHost failed twice to start its control server with "address
/// already in use" at the end of a boot (a benchmark, a test run), and stopped. Bound here, before anyone is told the
/// URL, a clash only costs another probe.
/// </summary>
public sealed class ControlListener : IDisposable
{
    private const int Attempts = 5;

    private ControlListener(HttpListener listener, string url)
    {
        Listener = listener;
        Url = url;
    }

    public HttpListener Listener { get; }

    public string Url { get; }

    public static ControlListener Open()
    {
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreeLoopbackPort()}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return new ControlListener(listener, url);
            }
            catch (HttpListenerException) when (attempt < Attempts)
            {
                listener.Close();
            }
        }
    }

    public void Dispose() => Listener.Close();

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
