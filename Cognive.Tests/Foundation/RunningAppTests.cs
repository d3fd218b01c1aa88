using System.Net;
using System.Text.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Foundation;

public sealed class RunningAppTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public void Every_resource_is_running_and_healthy()
    {
        var expected = new[] { "postgres", "cognive", "redis", "rabbitmq", "api", "workers", "swarm-queen", "agents" };
        Assert.Subset(_app.LongRunningResources.Select(r => r.Name).ToHashSet(), expected.ToHashSet());

        foreach (var resource in _app.LongRunningResources)
        {
            var instances = _app.Instances(resource);
            Assert.NotEmpty(instances);
            Assert.All(instances, snapshot => Assert.True(CogniveApp.IsRunningAndHealthy(snapshot),
                $"{resource.Name} is {snapshot.State?.Text} / {snapshot.HealthStatus}"));
        }
    }

    [Fact]
    public void Agents_run_as_several_replicas()
    {
        var agents = _app.Resources.Single(r => r.Name == "agents");
        Assert.True(_app.Instances(agents).Count >= 2);
    }

    [Fact]
    public void The_database_initialiser_and_the_migrations_finished_successfully()
    {
        Assert.Equal(["migrations", "postgres-init"], _app.OneShotResources.Select(r => r.Name).Order());
        foreach (var oneShot in _app.OneShotResources)
        {
            var snapshot = Assert.Single(_app.Instances(oneShot));
            Assert.Equal(KnownResourceStates.Finished, snapshot.State?.Text);
            Assert.Equal(0, snapshot.ExitCode);
        }
    }

    [Theory]
    [InlineData("api", new[] { "self", "CogniveDbContext", "StackExchange.Redis", "RabbitMQ.Client" })]
    [InlineData("workers", new[] { "self", "PostgreSql", "StackExchange.Redis", "RabbitMQ.Client" })]
    [InlineData("swarm-queen", new[] { "self", "PostgreSql", "StackExchange.Redis" })]
    [InlineData("agents", new[] { "self" })]
    public async Task Readiness_is_200_and_names_each_check(string service, string[] checks)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _app.CreateHttpClient(service);

        using var response = await client.GetAsync("/health/readiness", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var named = body.RootElement.GetProperty("checks").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(checks.ToHashSet(), named);
        Assert.All(body.RootElement.GetProperty("checks").EnumerateObject(),
            check => Assert.Equal("Healthy", check.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Liveness_runs_only_the_process_check()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _app.CreateHttpClient("api");

        using var body = JsonDocument.Parse(await client.GetStringAsync("/health/liveness", ct));

        Assert.Equal(["self"], body.RootElement.GetProperty("checks").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_errors_are_problem_details()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _app.CreateHttpClient("api");

        using var echoed = new HttpRequestMessage(HttpMethod.Get, "/health/liveness");
        echoed.Headers.Add("X-Request-Id", "test-request-42");
        using var echoedResponse = await client.SendAsync(echoed, ct);
        using var missing = await client.GetAsync("/no-such-path", ct);

        Assert.Equal("test-request-42", echoedResponse.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.False(string.IsNullOrEmpty(missing.Headers.GetValues("X-Request-Id").Single()));
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Metrics_are_served_for_prometheus()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _app.CreateHttpClient("api");

        var metrics = await client.GetStringAsync("/metrics", ct);

        Assert.Contains("# TYPE", metrics);
        Assert.Contains("service_name=\"api\"", metrics);
    }
}
