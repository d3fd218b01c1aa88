using Aspire.Hosting.ApplicationModel;
using Cognive.Hosting.Swarm;
using k8s;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// What the queen needs to recover agents in the cluster (its Kubernetes recovery port): a service account of its own,
/// bound to a Role that may get and delete pods, get ReplicaSets, and get and scale only the agent kinds' Deployments —
/// no list, watch, create or update of anything, and no Secret. RBAC can narrow neither pods nor ReplicaSets by name
/// (theirs are generated) nor by label, so the port proves a pod is its kind's before deleting it: the pod's controller
/// is a ReplicaSet whose controller is one of the kinds' Deployments, and the delete is preconditioned on the pod's uid.
/// </summary>
public static class SwarmControlManifests
{
    public static bool ControlsSwarm(IResource workload) => workload.HasAnnotationOfType<SwarmControlAnnotation>();

    public static IEnumerable<IKubernetesObject> Build(IResource queen)
    {
        var kinds = queen.Annotations.OfType<SwarmControlAnnotation>().Single().Kinds;
        var name = queen.Name;
        yield return new V1ServiceAccount
        {
            ApiVersion = "v1", Kind = "ServiceAccount", Metadata = WorkloadManifests.Metadata(name, name), AutomountServiceAccountToken = false,
        };
        yield return new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "Role",
            Metadata = WorkloadManifests.Metadata($"{name}-recovery", name),
            Rules =
            [
                new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "delete"] },
                new V1PolicyRule { ApiGroups = ["apps"], Resources = ["replicasets"], Verbs = ["get"] },
                new V1PolicyRule { ApiGroups = ["apps"], Resources = ["deployments/scale"], ResourceNames = kinds.ToList(), Verbs = ["get", "patch"] },
            ],
        };
        yield return new V1RoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "RoleBinding",
            Metadata = WorkloadManifests.Metadata($"{name}-recovery", name),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = $"{name}-recovery" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = name }],
        };
    }

    /// <summary>Runs the queen's pods as its service account, with its token mounted (every other pod has none).</summary>
    public static void UseServiceAccount(V1PodSpec pod, IResource queen)
    {
        pod.ServiceAccountName = queen.Name;
        pod.AutomountServiceAccountToken = true;
    }

    /// <summary>The queen's way to the cluster's API server (the kubernetes Service forwards to it on 443 or 6443).</summary>
    public static V1NetworkPolicyEgressRule ApiServerEgress() => new()
    {
        Ports = [new V1NetworkPolicyPort { Port = 443, Protocol = "TCP" }, new V1NetworkPolicyPort { Port = 6443, Protocol = "TCP" }],
    };
}
