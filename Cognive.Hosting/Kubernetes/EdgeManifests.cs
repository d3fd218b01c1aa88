using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>What sits around the external service (the api): Traefik ingress, autoscaling, disruption budget.</summary>
public sealed class EdgeManifests(ClusterTopology topology, KubernetesOptions options)
{
    /// <summary>
    /// What the ingress routes to each external service (prefixes by whole path segments): the API, its OpenAPI document
    /// and reference; the gateway's OpenAI-compatible <c>/v1</c>. Everything else, <c>/metrics</c> and the <c>/health</c>
    /// answers (which may name an exception) among it, stays inside the cluster: the kubelet probes the pods directly,
    /// not through Traefik.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> PublicPaths = new Dictionary<string, IReadOnlyList<string>>
    {
        ["api"] = ["/api", "/openapi", "/docs"],
        ["gateway"] = ["/v1"],
    };

    /// <summary>One ingress for every external service; each scales on its own and keeps two pods through disruptions.</summary>
    public IEnumerable<IKubernetesObject> Build(IReadOnlyList<IResource> externals)
    {
        yield return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1", Kind = "Ingress",
            Metadata = WorkloadManifests.Metadata("cognive", "cognive"),
            Spec = new V1IngressSpec
            {
                IngressClassName = "traefik",
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = options.Host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths = externals.SelectMany(external => PathsOf(external).Select(path => new V1HTTPIngressPath
                            {
                                Path = path, PathType = "Prefix",
                                Backend = new V1IngressBackend
                                {
                                    Service = new V1IngressServiceBackend
                                    {
                                        Name = external.Name, Port = new V1ServiceBackendPort { Number = topology.Ports(external).First().Port },
                                    },
                                },
                            })).ToList(),
                        },
                    },
                ],
            },
        };
        foreach (var external in externals)
        {
            foreach (var scaling in Scaling(external.Name))
            {
                yield return scaling;
            }
        }
    }

    private static IReadOnlyList<string> PathsOf(IResource external) =>
        PublicPaths.TryGetValue(external.Name, out var paths)
            ? paths
            : throw new CogniveHostingException($"'{external.Name}' has external endpoints but no public paths in {nameof(EdgeManifests)}.{nameof(PublicPaths)}.");

    private static IEnumerable<IKubernetesObject> Scaling(string name)
    {
        yield return new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler",
            Metadata = WorkloadManifests.Metadata(name, name),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                MinReplicas = 3,
                MaxReplicas = 20,
                Metrics =
                [
                    new V2MetricSpec
                    {
                        Type = "Resource",
                        Resource = new V2ResourceMetricSource
                        {
                            Name = "cpu",
                            Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 70 },
                        },
                    },
                ],
            },
        };
        yield return new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1", Kind = "PodDisruptionBudget",
            Metadata = WorkloadManifests.Metadata(name, name),
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = 2,
                Selector = new V1LabelSelector { MatchLabels = WorkloadManifests.Labels(name) },
            },
        };
    }
}
