using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>The Kubernetes objects of one workload: Deployment (services) or StatefulSet (servers), Service, settings.</summary>
public sealed class WorkloadManifests(ClusterTopology topology, KubernetesOptions options)
{
    private const string LivenessPath = "/health/liveness";
    private const string ReadinessPath = "/health/readiness";

    /// <summary>The uid of the non-root <c>app</c> user in Microsoft's .NET images.</summary>
    private const long AppUserId = 1654;

    public static Dictionary<string, string> Labels(string workload) => new()
    {
        ["app.kubernetes.io/name"] = workload,
        ["app.kubernetes.io/part-of"] = "cognive",
    };

    public IEnumerable<IKubernetesObject> Build(WorkloadSpec spec)
    {
        var name = spec.Resource.Name;
        yield return new V1ConfigMap
        {
            ApiVersion = "v1", Kind = "ConfigMap",
            Metadata = Metadata($"{name}-config", name),
            Data = spec.Settings,
        };
        if (topology.RunsToCompletion(spec.Resource))
        {
            yield return Job(spec);
            yield break;
        }

        yield return Service(spec.Resource);
        yield return spec.Resource is ProjectResource ? Deployment(spec) : StatefulSet((ContainerResource)spec.Resource, spec);
        if (SwarmControlManifests.ControlsSwarm(spec.Resource))
        {
            foreach (var access in SwarmControlManifests.Build(spec.Resource))
            {
                yield return access;
            }
        }
    }

    /// <summary>Kept apart from the rest: these files hold the values and are git-ignored.</summary>
    public static V1Secret Secret(WorkloadSpec spec) => new()
    {
        ApiVersion = "v1", Kind = "Secret",
        Metadata = Metadata($"{spec.Resource.Name}-secrets", spec.Resource.Name),
        Type = "Opaque",
        StringData = spec.Secrets,
    };

    private V1Service Service(IResource workload) => new()
    {
        ApiVersion = "v1", Kind = "Service",
        Metadata = Metadata(workload.Name, workload.Name),
        Spec = new V1ServiceSpec
        {
            Selector = Labels(workload.Name),
            Ports = topology.Ports(workload)
                .Select(p => new V1ServicePort { Name = p.Name, Port = p.Port, TargetPort = p.Port, Protocol = "TCP" })
                .ToList(),
        },
    };

    /// <summary>
    /// A Job named after the release (<c>migrations-0-1-0</c>): Jobs are immutable, so each rollout of a new version
    /// creates its own and runs it once; re-applying the same version leaves the finished one alone.
    /// </summary>
    private V1Job Job(WorkloadSpec spec)
    {
        var name = spec.Resource.Name;
        var template = PodTemplate(name, ServiceContainer(spec), terminationGraceSeconds: 30, runAsNonRoot: true, volumes: TmpVolume);
        template.Spec.RestartPolicy = "OnFailure";
        return new V1Job
        {
            ApiVersion = "batch/v1", Kind = "Job",
            Metadata = Metadata($"{name}-{options.Tag.Replace('.', '-')}", name),
            Spec = new V1JobSpec { BackoffLimit = 5, ActiveDeadlineSeconds = 600, Template = template },
        };
    }

    private static IList<V1Volume> TmpVolume => [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }];

    /// <summary>A service's container: its image, non-root, read-only root filesystem with a writable /tmp.</summary>
    private V1Container ServiceContainer(WorkloadSpec spec)
    {
        var container = Container(spec, options.ServiceImage(spec.Resource.Name));
        container.Resources = Resources("100m", "192Mi", "1", "512Mi");
        container.SecurityContext = new V1SecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = AppUserId,
            ReadOnlyRootFilesystem = true,
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Drop = ["ALL"] },
        };
        container.VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }];
        return container;
    }

    private V1Deployment Deployment(WorkloadSpec spec)
    {
        var name = spec.Resource.Name;
        var http = topology.Ports(spec.Resource).First();
        var container = ServiceContainer(spec);
        // A service holds its HTTP server until the migrations Job has made the schema current (SchemaGate), which on a
        // large database can outlast the liveness probe's patience: the startup probe waits up to 10 minutes first.
        container.StartupProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = LivenessPath, Port = http.Port },
            PeriodSeconds = 5, TimeoutSeconds = 5, FailureThreshold = 120,
        };
        container.LivenessProbe = HttpProbe(LivenessPath, http.Port);
        container.ReadinessProbe = HttpProbe(ReadinessPath, http.Port);

        var template = PodTemplate(name, container, terminationGraceSeconds: 30, runAsNonRoot: true, volumes: TmpVolume);
        if (SwarmControlManifests.ControlsSwarm(spec.Resource))
        {
            SwarmControlManifests.UseServiceAccount(template.Spec, spec.Resource);
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1", Kind = "Deployment",
            Metadata = Metadata(name, name),
            Spec = new V1DeploymentSpec
            {
                Replicas = topology.Replicas(spec.Resource),
                Selector = new V1LabelSelector { MatchLabels = Labels(name) },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 },
                },
                Template = template,
            },
        };
    }

    private V1StatefulSet StatefulSet(ContainerResource server, WorkloadSpec spec)
    {
        var name = server.Name;
        var image = server.Annotations.OfType<ContainerImageAnnotation>().Last();
        var container = Container(spec, $"{(string.IsNullOrEmpty(image.Registry) ? "" : image.Registry + "/")}{image.Image}:{image.Tag}");
        var primary = topology.Ports(server).First();
        container.LivenessProbe = TcpProbe(primary.Port, initialDelaySeconds: 30);
        container.ReadinessProbe = TcpProbe(primary.Port, initialDelaySeconds: 5);
        container.Resources = Resources("100m", "256Mi", "1", server.Annotations.OfType<MemoryLimitAnnotation>().LastOrDefault()?.Limit ?? "1Gi");
        container.SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false };
        if (server.Entrypoint is { } entrypoint)
        {
            container.Command = [entrypoint];
        }

        var volumes = server.Annotations.OfType<ContainerMountAnnotation>()
            .Where(m => m.Type == ContainerMountType.Volume)
            .Select((mount, i) => (Name: $"data{(i == 0 ? "" : i)}", mount.Target))
            .ToList();
        container.VolumeMounts = volumes.Select(v => new V1VolumeMount { Name = v.Name, MountPath = v.Target }).ToList();

        return new V1StatefulSet
        {
            ApiVersion = "apps/v1", Kind = "StatefulSet",
            Metadata = Metadata(name, name),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = name,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = Labels(name) },
                // The servers' official images start as root to prepare their data folders, then drop to their own user.
                Template = PodTemplate(name, container, terminationGraceSeconds: 60, runAsNonRoot: null, volumes: null),
                VolumeClaimTemplates = volumes.Select(v => new V1PersistentVolumeClaim
                {
                    Metadata = new V1ObjectMeta { Name = v.Name },
                    Spec = new V1PersistentVolumeClaimSpec
                    {
                        AccessModes = ["ReadWriteOnce"],
                        StorageClassName = "local-path",
                        Resources = new V1VolumeResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("5Gi") },
                        },
                    },
                }).ToList(),
            },
        };
    }

    private static V1PodTemplateSpec PodTemplate(string name, V1Container container, long terminationGraceSeconds,
        bool? runAsNonRoot, IList<V1Volume>? volumes) => new()
    {
        Metadata = new V1ObjectMeta { Labels = Labels(name) },
        Spec = new V1PodSpec
        {
            Containers = [container],
            TerminationGracePeriodSeconds = terminationGraceSeconds,
            AutomountServiceAccountToken = false,
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = runAsNonRoot,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            Volumes = volumes,
        },
    };

    private static V1Container Container(WorkloadSpec spec, string image)
    {
        var name = spec.Resource.Name;
        var envFrom = new List<V1EnvFromSource> { new() { ConfigMapRef = new V1ConfigMapEnvSource { Name = $"{name}-config" } } };
        if (spec.Secrets.Count > 0)
        {
            envFrom.Add(new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = $"{name}-secrets" } });
        }

        return new V1Container
        {
            Name = name,
            Image = image,
            ImagePullPolicy = "IfNotPresent",
            Args = spec.Args.Count > 0 ? spec.Args.ToList() : null,
            EnvFrom = envFrom,
        };
    }

    private static V1Probe HttpProbe(string path, int port) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = port },
        InitialDelaySeconds = 5, PeriodSeconds = 10, TimeoutSeconds = 5, FailureThreshold = 3,
    };

    private static V1Probe TcpProbe(int port, int initialDelaySeconds) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port },
        InitialDelaySeconds = initialDelaySeconds, PeriodSeconds = 10, TimeoutSeconds = 5, FailureThreshold = 6,
    };

    private static V1ResourceRequirements Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuRequest), ["memory"] = new(memoryRequest) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuLimit), ["memory"] = new(memoryLimit) },
    };

    public static V1ObjectMeta Metadata(string name, string workload) => new() { Name = name, Labels = Labels(workload) };
}
