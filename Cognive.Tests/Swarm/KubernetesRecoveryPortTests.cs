using System.Net;
using System.Text;
using Cognive.SwarmQueen.Recovery;

namespace Cognive.Tests.Swarm;

/// <summary>The Kubernetes adapter's requests, against a recorded API server (no cluster on the build machines).</summary>
public sealed class KubernetesRecoveryPortTests
{
    [Fact]
    public async Task A_restart_deletes_the_kinds_pod_gracefully_and_a_recreation_at_once()
    {
        var api = new RecordedApiServer(request => request.Method == HttpMethod.Get
            ? Json("""{"metadata":{"labels":{"app.kubernetes.io/name":"agents"}}}""")
            : Json("{}"));
        var port = new KubernetesRecoveryPort(api.Client, "cognive", maxReplicas: 10);

        var restarted = await port.RestartAsync(new RecoveryTarget("agents", "agents-7d9f-abc"), TestContext.Current.CancellationToken);
        var recreated = await port.RecreateAsync(new RecoveryTarget("agents", "agents-7d9f-abc"), TestContext.Current.CancellationToken);

        Assert.True(restarted.Succeeded && recreated.Succeeded);
        Assert.Equal(["GET /api/v1/namespaces/cognive/pods/agents-7d9f-abc", "DELETE /api/v1/namespaces/cognive/pods/agents-7d9f-abc ",
            "GET /api/v1/namespaces/cognive/pods/agents-7d9f-abc",
            """DELETE /api/v1/namespaces/cognive/pods/agents-7d9f-abc {"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0}"""],
            api.Requests);
    }

    [Fact]
    public async Task A_pod_of_another_kind_is_left_alone_and_a_missing_pod_retires_the_instance()
    {
        var other = new RecordedApiServer(_ => Json("""{"metadata":{"labels":{"app.kubernetes.io/name":"api"}}}"""));
        var missing = new RecordedApiServer(_ => new HttpResponseMessage(HttpStatusCode.NotFound));

        var refused = await new KubernetesRecoveryPort(other.Client, "cognive", 10)
            .RestartAsync(new RecoveryTarget("agents", "api-5c8d-xyz"), TestContext.Current.CancellationToken);
        var gone = await new KubernetesRecoveryPort(missing.Client, "cognive", 10)
            .RestartAsync(new RecoveryTarget("agents", "agents-old"), TestContext.Current.CancellationToken);

        Assert.Equal((false, false), (refused.Succeeded, refused.Gone));
        Assert.DoesNotContain(other.Requests, r => r.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.Equal((false, true), (gone.Succeeded, gone.Gone));
    }

    [Theory]
    [InlineData(2, true, """PATCH /apis/apps/v1/namespaces/cognive/deployments/agents/scale {"spec":{"replicas":3}}""")]
    [InlineData(10, false, null)]
    public async Task Scaling_up_adds_one_replica_up_to_the_maximum(int replicas, bool succeeds, string? patch)
    {
        var api = new RecordedApiServer(_ => Json($"{{\"spec\":{{\"replicas\":{replicas}}}}}"));

        var result = await new KubernetesRecoveryPort(api.Client, "cognive", maxReplicas: 10)
            .ScaleUpAsync(new RecoveryTarget("agents", null), TestContext.Current.CancellationToken);

        Assert.Equal(succeeds, result.Succeeded);
        Assert.Equal(patch, api.Requests.SingleOrDefault(r => r.StartsWith("PATCH", StringComparison.Ordinal)));
    }

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
