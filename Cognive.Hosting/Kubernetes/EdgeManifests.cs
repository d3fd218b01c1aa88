using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>What sits around the external service (the api): Traefik ingress, autoscaling, disruption budget.</summary>
public sealed class EdgeManifests(ClusterTopology topology, KubernetesOptions options)
{
    /// <summary>
    /// What the ingress routes (prefixes by whole path segments): the API, its OpenAPI document and reference. Everything
    /// else, <c>/metrics</c> and the <c>/health</c> answers (which may name an exception) among it, stays inside the
    /// cluster: the kubelet probes the pods directly, not through Traefik.
    /// </summary>
    public static readonly IReadOnlyList<string> PublicPaths = ["/api", "/openapi", "/docs"];

    public IEnumerable<IKubernetesObject> Build(IResource external)
    {
        var name = external.Name;
        var port = topology.Ports(external).First();
        yield return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1", Kind = "Ingress",
            Metadata = WorkloadManifests.Metadata(name, name),
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
                            Paths = PublicPaths.Select(path => new V1HTTPIngressPath
                            {
                                Path = path, PathType = "Prefix",
                                Backend = new V1IngressBackend
                                {
                                    Service = new V1IngressServiceBackend { Name = name, Port = new V1ServiceBackendPort { Number = port.Port } },
                                },
                            }).ToList(),
                        },
                    },
                ],
            },
        };
        yield return CpuAutoscaler(name, 3, 20, 70);
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
