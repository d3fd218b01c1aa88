using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Kubernetes;

/// <summary>What a workload needs in the cluster, resolved from the app model: its environment and arguments.</summary>
public sealed record WorkloadSpec(
    IResource Resource,
    SortedDictionary<string, string> Settings,
    SortedDictionary<string, string> Secrets,
    IReadOnlyList<string> Args)
{
    public static async Task<WorkloadSpec> ResolveAsync(IResource resource, DistributedApplicationExecutionContext execution,
        ClusterExpressionResolver resolver, CancellationToken ct)
    {
        var environment = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(execution, resource, environment, ct);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (value is EndpointReference { EndpointAnnotation.UriScheme: "https" })
            {
                continue; // inside the cluster services speak HTTP; Traefik terminates TLS at the edge
            }

            var resolved = await resolver.ResolveAsync(value, ct);
            (resolved.IsSecret ? secrets : settings)[name] = resolved.Value;
        }

        var argValues = new List<object>();
        var argsContext = new CommandLineArgsCallbackContext(argValues, resource, ct) { ExecutionContext = execution };
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(argsContext);
        }

        var args = new List<string>();
        foreach (var arg in argValues)
        {
            var resolved = await resolver.ResolveAsync(arg, ct);
            if (resolved.IsSecret)
            {
                throw new CogniveHostingException(
                    $"{resource.Name} passes a secret as a command-line argument; pass it through the environment instead.");
            }

            args.Add(resolved.Value);
        }

        return new(resource, settings, secrets, args);
    }
}
