using System.Text.RegularExpressions;
using Cognive.Hosting;
using Cognive.Tests.Infrastructure;
using k8s.Models;

namespace Cognive.Tests.Publishing;

/// <summary>`aspire publish` writes a kustomize tree that renders, parses, and matches the app model.</summary>
[Collection(PublishedManifest.Collection)]
public sealed partial class KubernetesTests(SharedApp shared, PublishedKubernetesTree tree, PublishedManifest manifest)
    : IClassFixture<PublishedKubernetesTree>
{
    private static readonly string[] Services = ["agents", "api", "gateway", "swarm-queen", "web", "workers"];
    private static readonly string[] Servers = ["postgres", "rabbitmq", "redis"];
    private static readonly string[] Clients = [.. Services, "migrations"];

    [Fact]
    public void Every_rendered_object_parses_as_the_Kubernetes_type_it_claims()
    {
        Assert.NotEmpty(tree.Objects);
        Assert.All(tree.Objects, o => Assert.IsAssignableFrom<k8s.IKubernetesObject<V1ObjectMeta>>(o));
        Assert.All(tree.Objects.Cast<k8s.IKubernetesObject<V1ObjectMeta>>(), o =>
        {
            Assert.Equal(o.Kind, o.GetType().Name[(o.GetType().Name.IndexOfAny("0123456789".ToCharArray()) + 1)..]);
            Assert.True(o.Kind == "Namespace" || o.Metadata.NamespaceProperty == "cognive", $"{o.Kind}/{o.Metadata.Name}");
        });
    }

    [Fact]
    public void Services_are_deployments_with_probes_resources_and_a_non_root_read_only_container()
    {
        var deployments = tree.OfType<V1Deployment>().ToList();
        Assert.Equal(Services, deployments.Select(d => d.Metadata.Name).Order());
        Assert.All(deployments, deployment =>
        {
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            Assert.Equal("/health/liveness", container.LivenessProbe?.HttpGet?.Path);
            Assert.Equal("/health/readiness", container.ReadinessProbe?.HttpGet?.Path);
            // Liveness waits for a start held by a long migration (SchemaGate) rather than restarting the pod.
            Assert.Equal("/health/liveness", container.StartupProbe?.HttpGet?.Path);
            Assert.True(container.StartupProbe!.PeriodSeconds * container.StartupProbe.FailureThreshold >= 600);
            Assert.NotNull(container.Resources?.Requests?["memory"]);
            Assert.NotNull(container.Resources?.Limits?["memory"]);
            Assert.True(container.SecurityContext?.RunAsNonRoot);
            Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem);
            Assert.False(container.SecurityContext?.AllowPrivilegeEscalation);
            Assert.Equal($"cognive-{deployment.Metadata.Name}:0.1.0", container.Image);
        });
        Assert.Equal(2, deployments.Single(d => d.Metadata.Name == "agents").Spec.Replicas);
    }

    [Fact]
    public void Servers_are_stateful_sets_with_claims_and_the_manifest_images()
    {
        var statefulSets = tree.OfType<V1StatefulSet>().ToList();
        Assert.Equal(Servers, statefulSets.Select(s => s.Metadata.Name).Order());
        Assert.All(statefulSets, set =>
        {
            var container = Assert.Single(set.Spec.Template.Spec.Containers);
            Assert.Equal((string?)manifest.Resources[set.Metadata.Name]!["image"], container.Image);
            Assert.NotNull(container.LivenessProbe);
            Assert.NotNull(container.ReadinessProbe);
            // PostgreSQL has a second claim, its backup repository (BackupManifestTests).
            Assert.NotEmpty(set.Spec.VolumeClaimTemplates);
            Assert.All(set.Spec.VolumeClaimTemplates, claim =>
            {
                Assert.Equal("local-path", claim.Spec.StorageClassName);
                Assert.Contains(container.VolumeMounts, m => m.Name == claim.Metadata.Name);
            });
        });
    }

    [Fact]
    public void The_migrations_run_once_per_release_as_a_job()
    {
        var job = Assert.Single(tree.OfType<V1Job>());
        Assert.Equal("migrations-0-1-0", job.Metadata.Name);
        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal("cognive-migrations:0.1.0", container.Image);
        Assert.Equal("OnFailure", job.Spec.Template.Spec.RestartPolicy);
        // Only the Aspire manifest's migrations stay up (aspirate makes them a Deployment); a Job's must end.
        Assert.DoesNotContain(tree.OfType<V1ConfigMap>().Single(m => m.Metadata.Name == "migrations-config").Data.Keys,
            key => key.Contains("StayUp", StringComparison.Ordinal));
        Assert.True(container.SecurityContext?.RunAsNonRoot);
        Assert.Contains(tree.OfType<V1Secret>(), s => s.Metadata.Name == "migrations-secrets" &&
            s.StringData.ContainsKey("ConnectionStrings__cognive"));
    }

    [Fact]
    public void One_ingress_routes_the_api_paths_to_the_api_v1_to_the_gateway_and_the_rest_to_the_console_and_both_autoscale()
    {
        var ingress = Assert.Single(tree.OfType<V1Ingress>());
        Assert.Equal("traefik", ingress.Spec.IngressClassName);
        var paths = ingress.Spec.Rules.Single().Http.Paths;
        Assert.Equal("api", Backend(paths, "/api/v1/teams"));
        Assert.Equal("api", Backend(paths, "/openapi/v1.json"));
        Assert.Equal("api", Backend(paths, "/docs"));
        Assert.Equal("gateway", Backend(paths, "/v1/chat/completions"));
        Assert.Equal("web", Backend(paths, "/"));
        Assert.Equal("web", Backend(paths, "/agents"));
        Assert.Equal("web", Backend(paths, "/_blazor"));

        var autoscalers = tree.OfType<V2HorizontalPodAutoscaler>().Where(a => a.Metadata.Name is "api" or "gateway")
            .OrderBy(a => a.Spec.ScaleTargetRef.Name).ToList();
        Assert.Equal([("api", 3, 20), ("gateway", 3, 20)],
            autoscalers.Select(a => (a.Spec.ScaleTargetRef.Name, a.Spec.MinReplicas, a.Spec.MaxReplicas)));
        Assert.All(autoscalers, a => Assert.Equal(70, a.Spec.Metrics.Single().Resource.Target.AverageUtilization));

        Assert.Equal(["api", "gateway"], tree.OfType<V1PodDisruptionBudget>().Select(b => b.Metadata.Name).Order());
    }

    [Fact]
    public void No_secret_value_appears_outside_Secrets_and_no_placeholder_survives()
    {
        var secrets = tree.SecretValues();
        Assert.Equal(8, secrets.Count); // the three servers' passwords, the JWT and audit signing keys, the provider-key encryption key, the swarm key's id and secret
        var notSecrets = tree.Objects.Where(o => o is not V1Secret).Select(k8s.KubernetesYaml.Serialize).ToList();
        Assert.All(secrets, secret => Assert.DoesNotContain(notSecrets, yaml => yaml.Contains(secret, StringComparison.Ordinal)));
        Assert.All(tree.OfType<V1ConfigMap>(), map => Assert.DoesNotContain(map.Data ?? new Dictionary<string, string>(),
            entry => entry.Key.Contains("PASSWORD", StringComparison.Ordinal) || entry.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)));

        Assert.DoesNotMatch(Placeholder(), tree.Rendered);
    }

    [Fact]
    public void Secret_settings_reach_their_services_through_Secrets_and_appear_nowhere_else()
    {
        foreach (var file in Directory.EnumerateFiles(tree.Folder, "*", SearchOption.AllDirectories)
                     .Where(f => !Path.GetRelativePath(tree.Folder, f).StartsWith("secrets/", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            Assert.All(SecretCanaries.Values, canary => Assert.DoesNotContain(canary, text, StringComparison.Ordinal));
        }

        var notSecrets = tree.Objects.Where(o => o is not V1Secret).Select(k8s.KubernetesYaml.Serialize).ToList();
        Assert.All(SecretCanaries.Values, canary => Assert.DoesNotContain(notSecrets, yaml => yaml.Contains(canary, StringComparison.Ordinal)));
        Assert.All(SecretCanaries.Destinations, destination => Assert.Equal(destination.Value,
            tree.OfType<V1Secret>().Single(s => s.Metadata.Name == $"{destination.Workload}-secrets").StringData[ServiceEnvironment.SecretPrefix + destination.Variable]));
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/health/readiness")]
    [InlineData("/health/liveness")]
    public void Metrics_and_health_answers_of_the_api_are_not_routed_by_the_public_ingress(string path)
    {
        var ingress = Assert.Single(tree.OfType<V1Ingress>());
        var paths = ingress.Spec.Rules.Single().Http.Paths;

        // The console takes every path no other route does; it refuses its own /metrics and /health to requests through the ingress.
        Assert.Equal("web", Backend(paths, path));
        Assert.All(["/api/v1/teams", "/openapi/v1.json", "/docs"], (string api) => Assert.Equal("api", Backend(paths, api)));
        Assert.Equal("gateway", Backend(paths, "/v1/chat/completions"));
        // The kubelet probes the pods themselves.
        Assert.Equal("/health/readiness", tree.OfType<V1Deployment>().Single(d => d.Metadata.Name == "api")
            .Spec.Template.Spec.Containers.Single().ReadinessProbe.HttpGet.Path);
    }

    /// <summary>The service Kubernetes sends a path to: the route with the longest matching prefix.</summary>
    private static string? Backend(IList<V1HTTPIngressPath> paths, string path) =>
        paths.Where(route => Routes(route, path)).MaxBy(route => route.Path.Length)?.Backend.Service.Name;

    /// <summary>Kubernetes' Prefix match: whole path segments, so <c>/api</c> routes <c>/api/v1</c> but not <c>/apis</c>.</summary>
    private static bool Routes(V1HTTPIngressPath route, string path) =>
        route.PathType == "Prefix"
            ? route.Path == "/" || path == route.Path.TrimEnd('/') || path.StartsWith(route.Path.TrimEnd('/') + "/", StringComparison.Ordinal)
            : path == route.Path;

    [Fact]
    public void Redis_has_a_memory_ceiling_it_never_evicts_under_within_its_container_limit()
    {
        var redis = tree.OfType<V1StatefulSet>().Single(s => s.Metadata.Name == "redis").Spec.Template.Spec.Containers.Single();

        Assert.Contains("--maxmemory 512mb --maxmemory-policy noeviction", string.Join(" ", redis.Args));
        Assert.True(redis.Resources.Limits["memory"].ToInt64() >= 2 * 512L * 1024 * 1024, redis.Resources.Limits["memory"].ToString());
    }

    [Fact]
    public void The_audit_signing_key_reaches_exactly_the_services_that_seal_or_verify_and_only_as_a_Secret()
    {
        const string variable = ServiceEnvironment.SecretPrefix + "Cognive__Audit__SigningKey";
        var holders = tree.OfType<V1Secret>().Where(s => s.StringData?.ContainsKey(variable) == true).Select(s => s.Metadata.Name).Order();

        Assert.Equal(["api-secrets", "gateway-secrets", "migrations-secrets", "swarm-queen-secrets"], holders);
        Assert.DoesNotContain(tree.OfType<V1ConfigMap>(), map => map.Data?.ContainsKey(variable) == true);
    }

    [Fact]
    public void The_provider_key_encryption_key_reaches_the_api_and_the_gateway_only_as_a_Secret()
    {
        const string variable = ServiceEnvironment.SecretPrefix + "Cognive__Providers__EncryptionKey";
        var holders = tree.OfType<V1Secret>().Where(s => s.StringData?.ContainsKey(variable) == true).Select(s => s.Metadata.Name).Order();

        Assert.Equal(["api-secrets", "gateway-secrets"], holders);
        Assert.DoesNotContain(tree.OfType<V1ConfigMap>(), map => map.Data?.ContainsKey(variable) == true);
    }

    [Fact]
    public void Every_variable_a_service_reads_locally_has_a_value_in_the_cluster()
    {
        foreach (var service in Services)
        {
            var local = LocalEnvironment(service).Where(IsReadByService).ToList();
            var cluster = (tree.OfType<V1ConfigMap>().SingleOrDefault(m => m.Metadata.Name == $"{service}-config")?.Data?.Keys ?? [])
                .Concat(tree.OfType<V1Secret>().SingleOrDefault(s => s.Metadata.Name == $"{service}-secrets")?.StringData?.Keys ?? [])
                .ToHashSet();

            Assert.NotEmpty(local);
            Assert.All(local, name => Assert.True(cluster.Contains(name), $"{service} reads {name} locally but has none in the cluster"));
        }
    }

    [Fact]
    public void The_agents_get_the_swarm_key_from_their_Secret_and_the_migrations_make_the_swarm_team_hold_the_same()
    {
        var secrets = tree.OfType<V1Secret>().ToDictionary(s => s.Metadata.Name);
        var agentsKey = secrets["agents-secrets"].StringData[ServiceEnvironment.SecretPrefix + "Cognive__Agents__ApiKey"];
        var agents = tree.OfType<V1Deployment>().Single(d => d.Metadata.Name == "agents");

        Assert.Matches("^cgv_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$", agentsKey);
        Assert.Equal(agentsKey, secrets["migrations-secrets"].StringData[ServiceEnvironment.SecretPrefix + "Cognive__Swarm__AgentKey"]);
        Assert.Contains(agents.Spec.Template.Spec.Containers.Single().EnvFrom, source => source.SecretRef?.Name == "agents-secrets");
        Assert.Equal(2, agents.Spec.Replicas);
        Assert.DoesNotContain(tree.Objects.Where(o => o is not V1Secret).Select(k8s.KubernetesYaml.Serialize),
            yaml => yaml.Contains(agentsKey[4..16], StringComparison.Ordinal));
    }

    [Fact]
    public void Without_KEDA_the_workers_scale_on_CPU_from_the_models_replica_count()
    {
        var workers = tree.OfType<V2HorizontalPodAutoscaler>().Single(a => a.Metadata.Name == "workers");

        Assert.Equal(("Deployment", "workers", 1, 10), (workers.Spec.ScaleTargetRef.Kind, workers.Spec.ScaleTargetRef.Name,
            workers.Spec.MinReplicas, workers.Spec.MaxReplicas));
        Assert.Equal(70, workers.Spec.Metrics.Single().Resource.Target.AverageUtilization);
        Assert.DoesNotContain("keda.sh", tree.Rendered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_KEDA_the_workers_scale_on_the_depth_of_the_ingestion_queue()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new TestStateFolder();
        await PublishedKubernetesTree.PublishAsync(folder.Path, ct, "--Cognive:Kubernetes:Keda=true");
        var documents = new YamlDotNet.Serialization.DeserializerBuilder().Build();
        var objects = (await PublishedKubernetesTree.RenderAsync(folder.Path, ct)).Split("\n---\n")
            .Select(yaml => documents.Deserialize<Dictionary<string, object>>(yaml))
            .ToList();
        Dictionary<string, object> Named(string kind, string name) => objects.Single(o => (string)o["kind"] == kind &&
            (string)((Dictionary<object, object>)o["metadata"])["name"] == name);

        var scaled = Named("ScaledObject", "workers");
        var spec = (Dictionary<object, object>)scaled["spec"];
        var rabbitmq = ((List<object>)spec["triggers"]).Cast<Dictionary<object, object>>().Single(t => (string)t["type"] == "rabbitmq");
        var trigger = (Dictionary<object, object>)rabbitmq["metadata"];
        var authentication = (string)((Dictionary<object, object>)rabbitmq["authenticationRef"])["name"];
        var secretRef = ((List<object>)((Dictionary<object, object>)Named("TriggerAuthentication", authentication)["spec"])["secretTargetRef"])
            .Cast<Dictionary<object, object>>().Single();
        var workersSecret = objects.Single(o => (string)o["kind"] == "Secret" &&
            (string)((Dictionary<object, object>)o["metadata"])["name"] == (string)secretRef["name"]);

        Assert.Equal("keda.sh/v1alpha1", (string)scaled["apiVersion"]);
        Assert.Equal(("workers", "1", "10"), ((string)((Dictionary<object, object>)spec["scaleTargetRef"])["name"],
            (string)spec["minReplicaCount"], (string)spec["maxReplicaCount"]));
        Assert.Equal(("cognive.llm-calls", "QueueLength"), ((string)trigger["queueName"], (string)trigger["mode"]));
        Assert.Equal(("host", "workers-secrets", "ConnectionStrings__rabbitmq"),
            ((string)secretRef["parameter"], (string)secretRef["name"], (string)secretRef["key"]));
        Assert.StartsWith("amqp://", (string)((Dictionary<object, object>)workersSecret["stringData"])["ConnectionStrings__rabbitmq"]);
        // KEDA's operator may reach RabbitMQ to read the queue's depth.
        var rabbitmqPolicy = (Dictionary<object, object>)Named("NetworkPolicy", "rabbitmq")["spec"];
        var admittedNamespaces = ((List<object>)rabbitmqPolicy["ingress"]).Cast<Dictionary<object, object>>()
            .SelectMany(rule => ((List<object>)rule["from"]).Cast<Dictionary<object, object>>())
            .Where(peer => peer.ContainsKey("namespaceSelector"))
            .Select(peer => ((Dictionary<object, object>)((Dictionary<object, object>)peer["namespaceSelector"])["matchLabels"])["kubernetes.io/metadata.name"]);
        Assert.Contains("keda", admittedNamespaces);
        // KEDA makes the workers' autoscaler itself; the api and the gateway keep their CPU autoscalers.
        Assert.Equal(["api", "gateway"], objects.Where(o => (string)o["kind"] == "HorizontalPodAutoscaler")
            .Select(o => (string)((Dictionary<object, object>)o["metadata"])["name"]).Order());
    }

    [Fact]
    public void Network_policies_admit_exactly_the_references_of_the_app_model()
    {
        var policies = tree.OfType<V1NetworkPolicy>().ToDictionary(p => p.Metadata.Name);
        Assert.Empty(policies["default-deny"].Spec.PodSelector.MatchLabels ?? new Dictionary<string, string>());

        foreach (var workload in Clients.Concat(Servers))
        {
            var expected = Clients.Where(client => LocalReferences(client).Contains(workload)).Order().ToList();
            var admitted = policies[workload].Spec.Ingress
                .SelectMany(rule => rule.FromProperty)
                .Where(peer => peer.NamespaceSelector is null)
                .Select(peer => peer.PodSelector.MatchLabels["app.kubernetes.io/name"])
                .Order()
                .ToList();
            Assert.Equal(expected, admitted);

            var egress = policies[workload].Spec.Egress
                .SelectMany(rule => rule.To ?? [])
                .Where(peer => peer.NamespaceSelector is null)
                .Select(peer => peer.PodSelector.MatchLabels["app.kubernetes.io/name"])
                .Order()
                .ToList();
            Assert.Equal(Clients.Contains(workload) ? LocalReferences(workload).Order().ToList() : [], egress);
        }
    }

    [Fact]
    public void Only_the_queen_gets_a_service_account_token_allowed_to_delete_pods_and_scale_the_agents()
    {
        var queenSettings = tree.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "swarm-queen-config").Data;
        var deployments = tree.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Name);
        // The other account is the backup CronJobs', which may only exec into postgres-0 (BackupManifestTests).
        var role = tree.OfType<V1Role>().Single(r => r.Metadata.Name != "postgres-backup");
        var binding = tree.OfType<V1RoleBinding>().Single(r => r.Metadata.Name != "postgres-backup");
        var account = tree.OfType<V1ServiceAccount>().Single(a => a.Metadata.Name != "postgres-backup");
        var queenEgress = tree.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "swarm-queen").Spec.Egress;

        Assert.Equal(("swarm-queen", true), (deployments["swarm-queen"].Spec.Template.Spec.ServiceAccountName,
            deployments["swarm-queen"].Spec.Template.Spec.AutomountServiceAccountToken ?? false));
        Assert.All(deployments.Values.Where(d => d.Metadata.Name != "swarm-queen"),
            d => Assert.False(d.Spec.Template.Spec.AutomountServiceAccountToken ?? true, $"{d.Metadata.Name} mounts no token"));
        Assert.Equal("swarm-queen", account.Metadata.Name);
        // Pods and ReplicaSets have generated names RBAC cannot list: the port follows pod → ReplicaSet → Deployment instead.
        Assert.Equal([("", "pods", "delete,get", ""), ("apps", "replicasets", "get", ""), ("apps", "deployments/scale", "get,patch", "agents")],
            role.Rules.Select(r => (string.Join(",", r.ApiGroups), string.Join(",", r.Resources), string.Join(",", r.Verbs.Order()),
                string.Join(",", r.ResourceNames ?? []))));
        Assert.Equal((role.Metadata.Name, "swarm-queen"), (binding.RoleRef.Name, Assert.Single(binding.Subjects).Name));
        Assert.Contains(queenEgress, rule => rule.To is null && rule.Ports.Select(p => p.Port.Value).Order().SequenceEqual(["443", "6443"]));
        // The port's allow-list: the kinds it may act on, and the replica count it never scales them below.
        Assert.Equal(("agents", "2"), (queenSettings["Cognive__Swarm__Control__Kinds__0__Name"], queenSettings["Cognive__Swarm__Control__Kinds__0__Replicas"]));
        Assert.DoesNotContain(queenSettings.Keys, k => k.StartsWith("Cognive__Swarm__Control__Kinds__1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publishing_again_gives_identical_output_and_keeps_the_generated_secrets()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = Snapshot(tree.Folder);
        using var fresh = new TestStateFolder();

        await PublishedKubernetesTree.PublishAsync(tree.Folder, ct);
        await PublishedKubernetesTree.PublishAsync(fresh.Path, ct);

        Assert.Equal(before, Snapshot(tree.Folder));
        var freshFiles = Snapshot(fresh.Path);
        Assert.Equal(WithoutSecrets(before), WithoutSecrets(freshFiles));
        Assert.NotEqual(before["secrets/parameters.env"], freshFiles["secrets/parameters.env"]);
    }

    private static Dictionary<string, string> WithoutSecrets(SortedDictionary<string, string> files) =>
        files.Where(f => !f.Key.StartsWith("secrets/", StringComparison.Ordinal)).ToDictionary();

    [Fact]
    public async Task An_unwritable_output_folder_fails_with_a_message_and_a_non_zero_exit()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new TestStateFolder();
        var blocker = Path.Combine(scratch.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "", ct);

        var (exitCode, output) = await AppHostCommand.RunAsync(
            ["--operation", "publish", "--step", "publish", "--output-path", Path.Combine(blocker, "k3s")], TimeSpan.FromMinutes(3), ct);

        Assert.NotEqual(0, exitCode);
        // The whole output on failure: Contains would show only its first line.
        Assert.True(output.Contains("Cannot write the Kubernetes manifests to", StringComparison.Ordinal), output);
    }

    [Fact]
    public async Task An_unknown_publisher_fails_with_a_message_and_a_non_zero_exit()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scratch = new TestStateFolder();

        var (exitCode, output) = await AppHostCommand.RunAsync(
            ["--publisher", "helm", "--output-path", scratch.Path], TimeSpan.FromMinutes(3), ct);

        Assert.NotEqual(0, exitCode);
        Assert.True(output.Contains("Unknown publisher 'helm'", StringComparison.Ordinal), output);
    }

    /// <summary>What Aspire gave the service locally, but its secret settings: those differ by design (the queen's local control
    /// token; the swarm key, a file locally and a Secret in the cluster) and are checked on their own.</summary>
    private IEnumerable<string> LocalEnvironment(string service) =>
        shared.App.Instances(shared.App.Resources.Single(r => r.Name == service))[0].EnvironmentVariables.Select(e => e.Name)
            .Where(name => !name.StartsWith(ServiceEnvironment.SecretPrefix + "Cognive__", StringComparison.Ordinal));

    /// <summary>What the service's code and Aspire's client integrations read: connection strings, their parts,
    /// and service discovery over HTTP (HTTPS ends at Traefik in the cluster).</summary>
    private static bool IsReadByService(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) ||
        (name.StartsWith("services__", StringComparison.Ordinal) && name.Contains("__http__", StringComparison.Ordinal)) ||
        ((string[])["COGNIVE_", "REDIS_", "RABBITMQ_"]).Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The workloads a service talks to in the local run, read from the environment Aspire gave it.</summary>
    private IEnumerable<string> LocalReferences(string service) =>
        LocalEnvironment(service)
            .Select(name => name.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                ? name["ConnectionStrings__".Length..]
                : name.StartsWith("services__", StringComparison.Ordinal) ? name.Split("__")[1] : null)
            .OfType<string>()
            .Select(name => name == "cognive" ? "postgres" : name) // the database lives on the postgres server
            .Distinct();

    private static SortedDictionary<string, string> Snapshot(string folder) => new(
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllText), StringComparer.Ordinal);

    [GeneratedRegex(@"\{[a-z0-9-]+\.(bindings|connectionString|value|inputs)")]
    private static partial Regex Placeholder();
}
