using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Publishing;

/// <summary>
/// Publish mode writes the Aspire manifest (what aspirate reads): servers as Aspire's containers, services as projects,
/// with the same references the running app model has.
/// </summary>
public sealed partial class ManifestTests(SharedApp shared, PublishedManifest manifest) : IClassFixture<PublishedManifest>
{
    private static readonly string[] Services = ["api", "gateway", "workers", "swarm-queen", "agents"];
    private readonly JsonObject _resources = manifest.Resources;

    [Theory]
    [InlineData("postgres", "postgres")]
    [InlineData("redis", "redis")]
    [InlineData("rabbitmq", "rabbitmq")]
    public void Servers_are_Aspire_containers_with_pinned_images_and_data_volumes(string name, string image)
    {
        var server = _resources[name]!;

        Assert.Matches(@"^container\.v[01]$", (string?)server["type"]);
        Assert.Matches($@"(^|/){image}:\d[\w.\-]*$", (string?)server["image"]);
        Assert.NotEmpty(server["volumes"]!.AsArray());
        Assert.NotNull(server["bindings"]?["tcp"]);
    }

    [Fact]
    public void The_database_is_a_value_on_the_postgres_server()
    {
        var database = _resources["cognive"]!;

        Assert.Equal("value.v0", (string?)database["type"]);
        Assert.Equal("{postgres.connectionString};Database=cognive", (string?)database["connectionString"]);
    }

    [Fact]
    public void Every_password_is_a_secret_parameter()
    {
        foreach (var name in new[] { "postgres-password", "redis-password", "rabbitmq-password", "jwt-signing-key", "audit-signing-key", "provider-key-encryption-key" })
        {
            var parameter = _resources[name]!;
            Assert.Equal("parameter.v0", (string?)parameter["type"]);
            Assert.True((bool?)parameter["inputs"]?["value"]?["secret"], $"{name} is not marked secret");
        }
    }

    [Fact]
    public void Secret_settings_are_secret_parameters_whose_values_the_manifest_never_holds()
    {
        var text = _resources.ToJsonString();
        Assert.All(SecretCanaries.Values, canary => Assert.DoesNotContain(canary, text, StringComparison.Ordinal));

        foreach (var (workload, variable, _) in SecretCanaries.Destinations)
        {
            var reference = ParameterValue().Match((string?)_resources[workload]!["env"]![variable] ?? "");
            Assert.True(reference.Success, $"{variable} of {workload} is not a parameter's value");
            var parameter = _resources[reference.Groups["parameter"].Value]!;
            Assert.Equal("parameter.v0", (string?)parameter["type"]);
            Assert.True((bool?)parameter["inputs"]?["value"]?["secret"], $"{variable} of {workload} is not a secret parameter");
        }
    }

    [Fact]
    public void Redis_is_published_with_a_memory_ceiling_and_no_eviction()
    {
        var args = string.Join(" ", _resources["redis"]!["args"]!.AsArray().Select(a => (string?)a));

        Assert.Contains("--maxmemory 512mb --maxmemory-policy noeviction", args);
    }

    [Fact]
    public void Services_are_projects_and_only_the_api_and_the_gateway_are_external()
    {
        foreach (var name in Services)
        {
            var service = _resources[name]!;
            Assert.Matches(@"^project\.v[01]$", (string?)service["type"]);
            var external = service["bindings"]!.AsObject().Any(b => (bool?)b.Value!["external"] == true);
            Assert.Equal(name is "api" or "gateway", external);
        }
    }

    [Fact]
    public void Every_expression_refers_to_a_resource_that_exists()
    {
        var references = ExpressionReference().Matches(_resources.ToJsonString())
            .Select(m => m.Groups["resource"].Value)
            .ToHashSet();

        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(_resources.ContainsKey(name), $"{{{name}...}} names no resource"));
    }

    [Fact]
    public void Services_get_the_same_connection_variables_as_in_the_running_app()
    {
        foreach (var name in Services)
        {
            var published = _resources[name]!["env"]!.AsObject()
                .Where(e => IsConnectionVariable(e.Key))
                .ToDictionary(e => e.Key, e => (string?)e.Value);
            var running = shared.App.Instances(shared.App.Resources.Single(r => r.Name == name))[0]
                .EnvironmentVariables.Select(e => e.Name)
                .Where(IsConnectionVariable)
                .ToHashSet();

            Assert.Equal(name != "agents", running.Count > 0); // the agents reach the servers only through the api
            Assert.Equal(running.Order(), published.Keys.Order());
            Assert.All(published.Where(e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)),
                e => Assert.Equal($"{{{e.Key["ConnectionStrings__".Length..]}.connectionString}}", e.Value));
        }
    }

    private static bool IsConnectionVariable(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) ||
        ((string[])["COGNIVE_", "REDIS_", "RABBITMQ_"]).Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    [GeneratedRegex(@"^\{(?<parameter>[a-z0-9-]+)\.value\}$")]
    private static partial Regex ParameterValue();

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(connectionString|bindings|value|inputs)")]
    private static partial Regex ExpressionReference();
}
