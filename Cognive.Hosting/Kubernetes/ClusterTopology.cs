using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Kubernetes;

/// <summary>The app model as the cluster sees it: which resources become workloads, their names, ports and references.</summary>
public sealed class ClusterTopology(DistributedApplicationModel model)
{
    /// <summary>The port ASP.NET Core listens on in a container when the model gives none.</summary>
    public const int DefaultHttpPort = 8080;

    public IReadOnlyList<ProjectResource> Services { get; } =
        model.Resources.OfType<ProjectResource>().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyList<ContainerResource> Servers { get; } =
        model.Resources.OfType<ContainerResource>().OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    public IEnumerable<IResource> Workloads => Services.Cast<IResource>().Concat(Servers);

    /// <summary>Services others wait to complete (the migrations) run once per rollout as Jobs.</summary>
    public bool RunsToCompletion(IResource workload) =>
        model.Resources.Any(r => r.Annotations.OfType<WaitAnnotation>()
            .Any(w => w.Resource == workload && w.WaitType == WaitType.WaitForCompletion));

    /// <summary>A database resource lives in its server's pod: its Service is the parent's.</summary>
    public string ServiceName(IResource resource) =>
        resource is IResourceWithParent child ? ServiceName(child.Parent) : resource.Name;

    public int Port(IResource resource, string endpointName)
    {
        var endpoint = resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpointName);
        return endpoint.TargetPort ?? (endpoint.UriScheme is "http" or "https" ? DefaultHttpPort : endpoint.Port ??
            throw new CogniveHostingException($"{resource.Name}'s endpoint {endpointName} has no port for the cluster."));
    }

    /// <summary>The ports a workload serves in the cluster. HTTPS is Traefik's job, so services serve HTTP only.</summary>
    public IReadOnlyList<(string Name, int Port)> Ports(IResource workload) =>
        workload.Annotations.OfType<EndpointAnnotation>()
            .Where(e => e.UriScheme != "https")
            .Select(e => (e.Name, Port(workload, e.Name)))
            .DistinctBy(p => p.Item2)
            .ToList();

    public bool IsExternal(IResource workload) =>
        workload.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal);

    public int Replicas(IResource workload) =>
        workload.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    /// <summary>The workloads this one talks to: its references, with databases mapped to their servers.</summary>
    public IReadOnlyList<string> References(IResource workload) =>
        workload.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(r => r.Type == "Reference" && r.Resource is not ParameterResource)
            .Select(r => ServiceName(r.Resource))
            .Where(name => name != workload.Name && Workloads.Any(w => w.Name == name))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The workloads that talk to this one.</summary>
    public IReadOnlyList<string> ReferencedBy(IResource workload) =>
        Workloads.Where(other => References(other).Contains(workload.Name)).Select(other => other.Name).ToList();
}
