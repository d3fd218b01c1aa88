using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// The paths of the one public host that the ingress routes to a service (prefixes by whole path segments; Kubernetes picks
/// the longest matching prefix, so <c>/</c> takes only what no other route does).
/// </summary>
public sealed record PublicRoutesAnnotation(IReadOnlyList<string> Paths) : IResourceAnnotation;

/// <summary>A stateless service the cluster scales by CPU between <see cref="MinReplicas"/> and <see cref="MaxReplicas"/>.</summary>
public sealed record AutoscaleAnnotation(int MinReplicas, int MaxReplicas) : IResourceAnnotation;

public static class EdgeExtensions
{
    /// <summary>
    /// Serves <paramref name="paths"/> of the public host (behind Traefik in the cluster; an external endpoint locally).
    /// Everything else a service answers, <c>/metrics</c> and the <c>/health</c> answers (which may name an exception)
    /// among it, stays inside the cluster: the kubelet probes the pods directly, not through Traefik.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicRoutes(this IResourceBuilder<ProjectResource> service, params string[] paths) =>
        service.WithExternalHttpEndpoints().WithAnnotation(new PublicRoutesAnnotation(paths));

    public static IResourceBuilder<ProjectResource> WithAutoscaling(this IResourceBuilder<ProjectResource> service, int minReplicas,
        int maxReplicas) =>
        service.WithAnnotation(new AutoscaleAnnotation(minReplicas, maxReplicas));
}

/// <summary>What sits at the edge: the Traefik ingress of the public routes, and autoscalers with disruption budgets.</summary>
public sealed class EdgeManifests(ClusterTopology topology, KubernetesOptions options)
{
    public const string IngressName = "cognive";

    public IEnumerable<IKubernetesObject> Build()
    {
        var routes = topology.Services
            .SelectMany(service => service.Annotations.OfType<PublicRoutesAnnotation>().SelectMany(r => r.Paths)
                .Select(path => new V1HTTPIngressPath
                {
                    Path = path, PathType = "Prefix",
                    Backend = new V1IngressBackend
                    {
                        Service = new V1IngressServiceBackend
                        {
                            Name = service.Name, Port = new V1ServiceBackendPort { Number = topology.Ports(service).First().Port },
                        },
                    },
                }))
            .ToList();
        if (routes.Count > 0)
        {
            yield return new V1Ingress
            {
                ApiVersion = "networking.k8s.io/v1", Kind = "Ingress",
                Metadata = new V1ObjectMeta { Name = IngressName },
                Spec = new V1IngressSpec
                {
                    IngressClassName = "traefik",
                    Rules = [new V1IngressRule { Host = options.Host, Http = new V1HTTPIngressRuleValue { Paths = routes } }],
                },
            };
        }

        foreach (var service in topology.Services)
        {
            if (service.Annotations.OfType<AutoscaleAnnotation>().LastOrDefault() is not { } scale)
            {
                continue;
            }

            yield return CpuAutoscaler(service.Name, scale.MinReplicas, scale.MaxReplicas, cpuUtilization: 70);
            yield return new V1PodDisruptionBudget
            {
                ApiVersion = "policy/v1", Kind = "PodDisruptionBudget",
                Metadata = WorkloadManifests.Metadata(service.Name, service.Name),
                Spec = new V1PodDisruptionBudgetSpec
                {
                    MinAvailable = Math.Min(2, scale.MinReplicas),
                    Selector = new V1LabelSelector { MatchLabels = WorkloadManifests.Labels(service.Name) },
                },
            };
        }
    }

    /// <summary>A HorizontalPodAutoscaler of a Deployment on its pods' CPU.</summary>
    public static V2HorizontalPodAutoscaler CpuAutoscaler(string deployment, int minReplicas, int maxReplicas, int cpuUtilization) => new()
    {
        ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler",
        Metadata = WorkloadManifests.Metadata(deployment, deployment),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = deployment },
            MinReplicas = minReplicas,
            MaxReplicas = maxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource
                    {
                        Name = "cpu",
                        Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = cpuUtilization },
                    },
                },
            ],
        },
    };
}
