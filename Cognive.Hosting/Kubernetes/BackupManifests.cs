using Cognive.Hosting.Postgres;
using k8s;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// The cluster's backup schedule (<c>Cognive:Backups</c>): CronJobs that run pgBackRest inside the postgres pod (where the
/// data folder is, and its repository on a PersistentVolumeClaim of its own, or S3), through <c>kubectl exec</c> as a
/// service account that may exec into that one pod and nothing else. WAL is archived by the server itself (archive_command).
/// </summary>
public static class BackupManifests
{
    public const string Name = "postgres-backup";
    private const string KubectlImage = "docker.io/bitnami/kubectl:1.31";

    public static IEnumerable<IKubernetesObject> Build(BackupSettings settings, string server)
    {
        var pod = $"{server}-0";
        yield return new V1ServiceAccount
        {
            ApiVersion = "v1", Kind = "ServiceAccount", Metadata = WorkloadManifests.Metadata(Name, Name), AutomountServiceAccountToken = false,
        };
        yield return new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "Role",
            Metadata = WorkloadManifests.Metadata(Name, Name),
            Rules =
            [
                new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], ResourceNames = [pod], Verbs = ["get"] },
                new V1PolicyRule { ApiGroups = [""], Resources = ["pods/exec"], ResourceNames = [pod], Verbs = ["create"] },
            ],
        };
        yield return new V1RoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "RoleBinding",
            Metadata = WorkloadManifests.Metadata(Name, Name),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = Name },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = Name }],
        };
        // Default-deny leaves the job pods nothing: they reach the API server (kubectl exec) and DNS only.
        yield return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1", Kind = "NetworkPolicy",
            Metadata = WorkloadManifests.Metadata(Name, Name),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = WorkloadManifests.Labels(Name) },
                PolicyTypes = ["Ingress", "Egress"],
                Egress = [NetworkPolicies.Dns(), SwarmControlManifests.ApiServerEgress()],
            },
        };
        yield return CronJob($"{Name}-full", settings.FullSchedule, pod, "full");
        yield return CronJob($"{Name}-incremental", settings.IncrementalSchedule, pod, "incr");
    }

    private static V1CronJob CronJob(string name, string schedule, string pod, string type) => new()
    {
        ApiVersion = "batch/v1", Kind = "CronJob",
        Metadata = WorkloadManifests.Metadata(name, Name),
        Spec = new V1CronJobSpec
        {
            Schedule = schedule,
            // A backup still running when the next is due is left to finish; pgBackRest's own lock refuses a second one.
            ConcurrencyPolicy = "Forbid",
            SuccessfulJobsHistoryLimit = 3,
            FailedJobsHistoryLimit = 3,
            JobTemplate = new V1JobTemplateSpec
            {
                Spec = new V1JobSpec
                {
                    BackoffLimit = 2,
                    ActiveDeadlineSeconds = 6 * 3600,
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = WorkloadManifests.Labels(Name) },
                        Spec = new V1PodSpec
                        {
                            ServiceAccountName = Name,
                            AutomountServiceAccountToken = true,
                            RestartPolicy = "OnFailure",
                            SecurityContext = new V1PodSecurityContext
                            {
                                RunAsNonRoot = true,
                                RunAsUser = 1001,
                                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                            },
                            Containers =
                            [
                                new V1Container
                                {
                                    Name = "backup",
                                    Image = KubectlImage,
                                    Command =
                                    [
                                        "kubectl", "exec", pod, "-c", "postgres", "--", "gosu", "postgres", "sh", "-c",
                                        // stanza-create is idempotent: the first backup of a new cluster creates the repository.
                                        $"pgbackrest stanza-create && pgbackrest --type={type} backup && pgbackrest info",
                                    ],
                                    Resources = new V1ResourceRequirements
                                    {
                                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("10m"), ["memory"] = new("32Mi") },
                                        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("200m"), ["memory"] = new("128Mi") },
                                    },
                                    SecurityContext = new V1SecurityContext
                                    {
                                        ReadOnlyRootFilesystem = true,
                                        AllowPrivilegeEscalation = false,
                                        Capabilities = new V1Capabilities { Drop = ["ALL"] },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
        },
    };
}
