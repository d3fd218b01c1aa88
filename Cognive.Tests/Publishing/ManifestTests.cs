using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cognive.Hosting;
using Cognive.Hosting.Swarm;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Publishing;

/// <summary>
/// Publish mode writes the Aspire manifest (what aspirate reads): servers as Aspire's containers, services as projects,
/// with the same references the running app model has.
/// </summary>
[Collection(PublishedManifest.Collection)]
public sealed partial class ManifestTests(SharedApp shared, PublishedManifest manifest)
{
    private static readonly string[] Services = ["api", "gateway", "workers", "swarm-queen", "agents", "web"];
    private readonly JsonObject _resources = manifest.Resources;

    [Theory]
    [InlineData("postgres", "cognive-postgres")] // Aspire's image with pgBackRest (Cognive.Hosting/Publishing/postgres.Dockerfile)
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
        foreach (var name in new[] { "postgres-password", "redis-password", "rabbitmq-password", "jwt-signing-key", "audit-signing-key",
                     "provider-key-encryption-key", SwarmKey.IdParameter, SwarmKey.SecretParameter })
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
            var reference = ParameterValue().Match((string?)_resources[workload]!["env"]![ServiceEnvironment.SecretPrefix + variable] ?? "");
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
    public void Services_are_projects_and_only_the_api_the_gateway_and_the_console_are_external()
    {
        foreach (var name in Services)
        {
            var service = _resources[name]!;
            Assert.Matches(@"^project\.v[01]$", (string?)service["type"]);
            var external = service["bindings"]!.AsObject().Any(b => (bool?)b.Value!["external"] == true);
            Assert.Equal(name is "api" or "gateway" or "web", external);
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

            Assert.Equal(name is not ("agents" or "web"), running.Count > 0); // they reach the servers only through the api
            Assert.Equal(running.Order(), published.Keys.Order());
            Assert.All(published.Where(e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)),
                e => Assert.Equal($"{{{e.Key["ConnectionStrings__".Length..]}.connectionString}}", e.Value));
        }
    }

    /// <summary>Connection strings and properties; not the secret settings that travel under connection-string names.</summary>
    private static bool IsConnectionVariable(string name) =>
        (name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && !name.StartsWith(SecretSettingPrefix, StringComparison.Ordinal)) ||
        ((string[])["COGNIVE_", "REDIS_", "RABBITMQ_"]).Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    private const string SecretSettingPrefix = ServiceEnvironment.SecretPrefix + "Cognive__";

    [Fact]
    public void No_service_reads_a_value_aspirate_cannot_resolve()
    {
        Assert.DoesNotContain(_resources, r => (string?)r.Value!["type"] == "annotated.string");
        foreach (var (name, resource) in _resources.Where(r => ((string?)r.Value!["type"])!.StartsWith("project.", StringComparison.Ordinal)))
        {
            foreach (var (variable, value) in resource!["env"]!.AsObject())
            {
                var reached = Reached((string?)value ?? "").ToList();
                Assert.All(reached, placeholder => Assert.True(_resources.ContainsKey(placeholder.Resource), $"{name} {variable}: {{{placeholder.Resource}…}}"));
                // aspirate reads a binding's scheme wrongly (http for any), and resolves no annotated string.
                Assert.DoesNotContain(reached, p => p.Property.EndsWith(".scheme", StringComparison.Ordinal));
                Assert.DoesNotContain(reached, p => (string?)_resources[p.Resource]?["type"] == "annotated.string");
            }
        }
    }

    [Fact]
    public void Every_parameter_has_a_generated_default_but_the_operators_own_secret_settings()
    {
        var withoutDefault = _resources.Where(r => (string?)r.Value!["type"] == "parameter.v0" &&
                r.Value!["inputs"]?["value"]?["default"]?["generate"] is null)
            .Select(r => r.Key)
            .Order();

        // An LLM provider's key or an SMTP password cannot be generated: the operator passes them (aspirate --parameter).
        Assert.Equal(["cognive-agents-llm-apikey", "cognive-smtp-password", "cognive-swarm-recovery-pagertoken"], withoutDefault);
    }

    [Fact]
    public void Secrets_reach_services_and_servers_only_under_names_aspirate_keeps_in_Secrets()
    {
        var carriers = _resources
            .Where(r => r.Value!["env"] is not null)
            .SelectMany(r => r.Value!["env"]!.AsObject().Select(e => (Resource: r.Key, Variable: e.Key, Value: (string?)e.Value ?? "")))
            .Where(e => Reached(e.Value).Any(p => p.Property == "connectionString" ||
                (bool?)_resources[p.Resource]?["inputs"]?["value"]?["secret"] == true))
            .ToList();

        Assert.Contains(carriers, c => c.Resource == "api" && c.Variable == SecretSettingPrefix + "Jwt__SigningKey");
        Assert.Contains(carriers, c => c.Resource == "redis");
        Assert.Contains(carriers, c => c.Resource == "rabbitmq");
        Assert.All(carriers, c => Assert.True(
            c.Variable.StartsWith("ConnectionString", StringComparison.Ordinal) || c.Variable == "POSTGRES_PASSWORD",
            $"{c.Resource} gets a secret in {c.Variable}, which aspirate would put in a ConfigMap"));
    }

    [Fact]
    public void Services_carry_the_models_replica_counts()
    {
        Assert.Equal(2, (int?)_resources["agents"]!["replicas"]);
        Assert.Equal(1, (int?)_resources["api"]!["replicas"]);
        Assert.Equal(1, (int?)_resources["workers"]!["replicas"]);
    }

    [Fact]
    public void The_agents_and_the_migrations_hold_the_swarm_key_as_a_reference_to_generated_secret_parameters()
    {
        const string key = $"cgv_{{{SwarmKey.IdParameter}.value}}_{{{SwarmKey.SecretParameter}.value}}";

        Assert.Equal(key, (string?)_resources["agents"]!["env"]![SecretSettingPrefix + "Agents__ApiKey"]);
        Assert.Equal(key, (string?)_resources["migrations"]!["env"]![SecretSettingPrefix + "Swarm__AgentKey"]);
        Assert.Equal((12, 32), ((int)_resources[SwarmKey.IdParameter]!["inputs"]!["value"]!["default"]!["generate"]!["minLength"]!,
            (int)_resources[SwarmKey.SecretParameter]!["inputs"]!["value"]!["default"]!["generate"]!["minLength"]!));
        Assert.DoesNotContain(_resources["agents"]!["env"]!.AsObject(), e => e.Key.EndsWith("ApiKeyFile", StringComparison.Ordinal));
    }

    [Fact]
    public void The_migrations_stay_up_after_their_work_when_deployed_from_the_manifest()
    {
        Assert.Equal("true", (string?)_resources["migrations"]!["env"]!["Cognive__Migrations__StayUp"]);
    }

    /// <summary>Every placeholder a value reaches, through the connection strings and values of what it names.</summary>
    private IEnumerable<(string Resource, string Property)> Reached(string value)
    {
        foreach (Match match in Placeholder().Matches(value))
        {
            var (resource, property) = (match.Groups["resource"].Value, match.Groups["property"].Value);
            yield return (resource, property);
            if (property is "connectionString" or "value" && _resources[resource] is { } target &&
                (string?)target["type"] != "parameter.v0" && (string?)target[property] is { } inner)
            {
                foreach (var deeper in Reached(inner))
                {
                    yield return deeper;
                }
            }
        }
    }

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(?<property>[a-zA-Z0-9.-]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\{(?<parameter>[a-z0-9-]+)\.value\}$")]
    private static partial Regex ParameterValue();

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(connectionString|bindings|value|inputs)")]
    private static partial Regex ExpressionReference();
}
