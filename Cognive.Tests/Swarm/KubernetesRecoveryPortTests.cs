using System.Net;
using System.Text;
using Cognive.SwarmQueen.Recovery;

namespace Cognive.Tests.Swarm;

/// <summary>The Kubernetes adapter's requests, against a recorded API server (no cluster on the build machines).</summary>
public sealed class KubernetesRecoveryPortTests
{
    private const string PodPath = "/api/v1/namespaces/cognive/pods/agents-7d9f-abc";
    private const string ReplicaSetPath = "/apis/apps/v1/namespaces/cognive/replicasets/agents-7d9f";
    private static readonly ControlledKinds Kinds = new(new Dictionary<string, int> { ["agents"] = 2 });

    [Fact]
    public async Task A_restart_deletes_the_kinds_pod_gracefully_and_a_recreation_at_once()
    {
        var api = new RecordedApiServer(Cluster(Pod("agents", "ReplicaSet", "agents-7d9f"), ReplicaSet("Deployment", "agents")));
        var port = new KubernetesRecoveryPort(api.Client, "cognive", maxReplicas: 10, Kinds);

        var restarted = await port.RestartAsync(new RecoveryTarget("agents", "agents-7d9f-abc"), TestContext.Current.CancellationToken);
        var recreated = await port.RecreateAsync(new RecoveryTarget("agents", "agents-7d9f-abc"), TestContext.Current.CancellationToken);

        Assert.True(restarted.Succeeded && recreated.Succeeded);
        Assert.Equal([$"GET {PodPath}", $"GET {ReplicaSetPath}",
            $$$"""DELETE {{{PodPath}}} {"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"pod-uid"}}""",
            $"GET {PodPath}", $"GET {ReplicaSetPath}",
            $$$"""DELETE {{{PodPath}}} {"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"pod-uid"},"gracePeriodSeconds":0}"""],
            api.Requests);
    }

    [Fact]
    public async Task A_pod_of_another_kind_is_left_alone_and_a_missing_pod_retires_the_instance()
    {
        var other = new RecordedApiServer(Cluster(Pod("api", "ReplicaSet", "api-5c8d"), ReplicaSet("Deployment", "api")));
        var missing = new RecordedApiServer(_ => new HttpResponseMessage(HttpStatusCode.NotFound));

        var refused = await new KubernetesRecoveryPort(other.Client, "cognive", 10, Kinds)
            .RestartAsync(new RecoveryTarget("agents", "api-5c8d-xyz"), TestContext.Current.CancellationToken);
        var gone = await new KubernetesRecoveryPort(missing.Client, "cognive", 10, Kinds)
            .RestartAsync(new RecoveryTarget("agents", "agents-old"), TestContext.Current.CancellationToken);

        Assert.Equal((false, false), (refused.Succeeded, refused.Gone));
        Assert.DoesNotContain(other.Requests, r => r.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.Equal((false, true), (gone.Succeeded, gone.Gone));
    }

    [Theory]
    [InlineData("ReplicaSet", "agents-7d9f", "Deployment", "impostor")]
    [InlineData("ReplicaSet", "agents-7d9f", "Deployment", null)]
    [InlineData("StatefulSet", "agents", null, null)]
    [InlineData(null, null, null, null)]
    public async Task A_pod_labelled_as_the_kind_but_not_owned_by_its_Deployment_is_never_deleted(string? podOwnerKind, string? podOwner,
        string? replicaSetOwnerKind, string? replicaSetOwner)
    {
        var api = new RecordedApiServer(Cluster(Pod("agents", podOwnerKind, podOwner), ReplicaSet(replicaSetOwnerKind, replicaSetOwner)));
        var port = new KubernetesRecoveryPort(api.Client, "cognive", 10, Kinds);

        var restarted = await port.RestartAsync(new RecoveryTarget("agents", "agents-7d9f-abc"), TestContext.Current.CancellationToken);
        var recreated = await port.RecreateAsync(new RecoveryTarget("agents", "agents-7d9f-abc"), TestContext.Current.CancellationToken);

        Assert.Equal((false, false), (restarted.Succeeded, recreated.Succeeded));
        Assert.DoesNotContain(api.Requests, r => r.StartsWith("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_kind_outside_the_allow_list_is_never_touched_whatever_its_pods_say()
    {
        var api = new RecordedApiServer(Cluster(Pod("postgres", "StatefulSet", "postgres"), ReplicaSet(null, null)));
        var port = new KubernetesRecoveryPort(api.Client, "cognive", 10, Kinds);
        var ct = TestContext.Current.CancellationToken;

        var results = new[]
        {
            await port.RestartAsync(new RecoveryTarget("postgres", "postgres-0"), ct),
            await port.RecreateAsync(new RecoveryTarget("postgres", "postgres-0"), ct),
            await port.ScaleUpAsync(new RecoveryTarget("postgres", null), ct),
            await port.ScaleDownAsync(new RecoveryTarget("postgres", null), ct),
        };

        Assert.All(results, r => Assert.False(r.Succeeded));
        Assert.Empty(api.Requests);
    }

    [Theory]
    [InlineData(2, true, """PATCH /apis/apps/v1/namespaces/cognive/deployments/agents/scale {"spec":{"replicas":3}}""")]
    [InlineData(10, false, null)]
    public async Task Scaling_up_adds_one_replica_up_to_the_maximum(int replicas, bool succeeds, string? patch)
    {
        var api = new RecordedApiServer(_ => Json($"{{\"spec\":{{\"replicas\":{replicas}}}}}"));

        var result = await new KubernetesRecoveryPort(api.Client, "cognive", maxReplicas: 10, Kinds)
            .ScaleUpAsync(new RecoveryTarget("agents", null), TestContext.Current.CancellationToken);

        Assert.Equal(succeeds, result.Succeeded);
        Assert.Equal(patch, api.Requests.SingleOrDefault(r => r.StartsWith("PATCH", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(3, true, false, """PATCH /apis/apps/v1/namespaces/cognive/deployments/agents/scale {"spec":{"replicas":2}}""")]
    [InlineData(2, false, true, null)]
    [InlineData(1, false, true, null)]
    public async Task Scaling_down_removes_one_replica_never_below_the_published_count(int replicas, bool succeeds, bool gone, string? patch)
    {
        var api = new RecordedApiServer(_ => Json($"{{\"spec\":{{\"replicas\":{replicas}}}}}"));

        var result = await new KubernetesRecoveryPort(api.Client, "cognive", maxReplicas: 10, Kinds)
            .ScaleDownAsync(new RecoveryTarget("agents", null), TestContext.Current.CancellationToken);

        Assert.Equal((succeeds, gone), (result.Succeeded, result.Gone));
        Assert.Equal(patch, api.Requests.SingleOrDefault(r => r.StartsWith("PATCH", StringComparison.Ordinal)));
    }

    private static string Pod(string kindLabel, string? ownerKind, string? owner) =>
        $$$"""{"metadata":{"uid":"pod-uid","labels":{"app.kubernetes.io/name":"{{{kindLabel}}}"},"ownerReferences":[{{{Owner(ownerKind, owner)}}}]}}""";

    private static string ReplicaSet(string? ownerKind, string? owner) => $$$"""{"metadata":{"ownerReferences":[{{{Owner(ownerKind, owner)}}}]}}""";

    private static string Owner(string? kind, string? name) =>
        kind is null ? "" : $$$"""{"apiVersion":"apps/v1","kind":"{{{kind}}}","name":"{{{name}}}","controller":true}""";

    /// <summary>One pod and the ReplicaSet it names (both answered whatever their name); DELETE answers 200.</summary>
    private static Func<HttpRequestMessage, HttpResponseMessage> Cluster(string pod, string replicaSet) => request =>
        request.Method != HttpMethod.Get ? Json("{}")
        : request.RequestUri!.AbsolutePath.Contains("/replicasets/", StringComparison.Ordinal) ? Json(replicaSet)
        : Json(pod);

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed class RecordedApiServer(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        public HttpClient Client => new(this) { BaseAddress = new Uri("https://kubernetes.default.svc") };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath}{(request.Method == HttpMethod.Get ? "" : " " + body)}");
            return answer(request);
        }
    }
}
