using k8s;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// Each tier reaches only what it references in the app model: a default deny for the namespace, then per workload
/// ingress from the workloads that reference it (and Traefik for external ones; KEDA's operator, when it scales a consumer,
/// for the queue's server) and egress to what it references plus DNS.
/// </summary>
public sealed class NetworkPolicies(ClusterTopology topology, KubernetesOptions options)
{
    public IEnumerable<IKubernetesObject> Build()
    {
        yield return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1", Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta { Name = "default-deny" },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
        };

        foreach (var workload in topology.Workloads)
        {
            var ports = PolicyPorts(workload);
            var ingress = topology.ReferencedBy(workload)
                .Select(source => new V1NetworkPolicyIngressRule { FromProperty = [FromWorkload(source)], Ports = ports })
                .ToList();
            if (topology.IsExternal(workload))
            {
                ingress.Add(new V1NetworkPolicyIngressRule
                {
                    FromProperty = [InKubeSystem("app.kubernetes.io/name", "traefik")],
                    Ports = ports,
                });
            }

            if (options.Keda && topology.Services.Where(QueueScalingManifests.ScalesOnQueue)
                    .Any(consumer => QueueScalingManifests.QueueServer(topology, consumer) == workload.Name))
            {
                // KEDA reads the queue's depth from its own namespace (Helm's default, `keda`).
                ingress.Add(new V1NetworkPolicyIngressRule
                {
                    FromProperty = [InNamespace(QueueScalingManifests.KedaNamespace, "app", "keda-operator")],
                    Ports = ports,
                });
            }

            var egress = topology.References(workload)
                .Select(target => new V1NetworkPolicyEgressRule
                {
                    To = [FromWorkload(target)],
                    Ports = PolicyPorts(topology.Workloads.Single(w => w.Name == target)),
                })
                .Append(Dns())
                .ToList();
            if (SwarmControlManifests.ControlsSwarm(workload))
            {
                egress.Add(SwarmControlManifests.ApiServerEgress());
            }

            yield return new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1", Kind = "NetworkPolicy",
                Metadata = WorkloadManifests.Metadata(workload.Name, workload.Name),
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector { MatchLabels = WorkloadManifests.Labels(workload.Name) },
                    PolicyTypes = ["Ingress", "Egress"],
                    Ingress = ingress,
                    Egress = egress,
                },
            };
        }
    }

    private List<V1NetworkPolicyPort> PolicyPorts(Aspire.Hosting.ApplicationModel.IResource workload) =>
        topology.Ports(workload).Select(p => new V1NetworkPolicyPort { Port = p.Port, Protocol = "TCP" }).ToList();

    /// <summary>Pods of the cluster's own components (Traefik, CoreDNS), which k3s runs in kube-system.</summary>
    private static V1NetworkPolicyPeer InKubeSystem(string label, string value) => InNamespace("kube-system", label, value);

    private static V1NetworkPolicyPeer InNamespace(string ns, string label, string value) => new()
    {
        NamespaceSelector = new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns },
        },
        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [label] = value } },
    };

    private static V1NetworkPolicyPeer FromWorkload(string workload) => new()
    {
        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = workload } },
    };

    internal static V1NetworkPolicyEgressRule Dns() => new()
    {
        To = [InKubeSystem("k8s-app", "kube-dns")],
        Ports = [new V1NetworkPolicyPort { Port = 53, Protocol = "UDP" }, new V1NetworkPolicyPort { Port = 53, Protocol = "TCP" }],
    };
}
