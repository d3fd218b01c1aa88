using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting;

/// <summary>
/// Rules every service's environment follows, whoever added the service, so the Aspire manifest is one aspirate deploys
/// as it is. A referenced server gives its connection string only: not its connection properties (<c>COGNIVE_PASSWORD</c>,
/// <c>REDIS_URI</c>, …), which no service reads and whose URIs need values aspirate cannot resolve (URI-encoded
/// passwords, a binding's scheme). A secret setting (<c>Cognive__Jwt__SigningKey</c> from a secret parameter) travels as
/// <c>ConnectionStrings__Cognive__Jwt__SigningKey</c>: aspirate keeps a variable in a Secret only when its name starts with
/// <c>ConnectionString</c>; the services read it back as the setting (ServiceDefaults' <c>SecretSettings</c>). Locally
/// too, so every run proves the services find their secrets where a cluster puts them.
/// </summary>
public static class ServiceEnvironment
{
    public const string SecretPrefix = "ConnectionStrings__";
    private const string SettingPrefix = "Cognive__";
    private const string RedisTracingOff = "Aspire__StackExchange__Redis__DisableTracing";

    public static IDistributedApplicationBuilder AddServiceEnvironmentRules(this IDistributedApplicationBuilder builder)
    {
        // Before start, every service is in the model; the callback added now runs after the ones WithReference added.
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            foreach (var service in e.Model.Resources.OfType<ProjectResource>())
            {
                var properties = ConnectionPropertyPrefixes(service);
                service.Annotations.Add(new EnvironmentCallbackAnnotation(context => Apply(context, properties)));
            }

            return Task.CompletedTask;
        });
        return builder;
    }

    private static void Apply(EnvironmentCallbackContext context, IReadOnlyList<string> propertyPrefixes)
    {
        var variables = context.EnvironmentVariables;
        // No span per Redis command, unless a service is given false here: the instrumentation Aspire's Redis client brings
        // keeps every traced request's Activity until its flush every 10 s (its options are internal), so memory grew with
        // the request rate (the queen's peak in bench/swarm.sh 537–598 MiB with those spans, 219 MiB without).
        variables.TryAdd(RedisTracingOff, "true");
        foreach (var name in variables.Keys.Where(name => propertyPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            variables.Remove(name);
        }

        foreach (var (name, value) in variables.Where(v => v.Key.StartsWith(SettingPrefix, StringComparison.Ordinal) && CarriesSecret(v.Value)).ToList())
        {
            variables.Remove(name);
            variables[SecretPrefix + name] = value;
        }
    }

    /// <summary><c>COGNIVE_</c>, <c>REDIS_</c>, <c>RABBITMQ_</c>: where WithReference puts a server's connection properties.</summary>
    private static List<string> ConnectionPropertyPrefixes(IResource service) =>
        service.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(r => r.Type == "Reference" && r.Resource is IResourceWithConnectionString)
            .Select(r => string.Concat(r.Resource.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_')) + "_")
            .Distinct()
            .ToList();

    public static bool CarriesSecret(object? value) => value switch
    {
        ParameterResource parameter => parameter.Secret,
        ConnectionStringReference or IResourceWithConnectionString => true,
        ReferenceExpression expression => expression.ValueProviders.Any(CarriesSecret) ||
            (expression.IsConditional && (CarriesSecret(expression.WhenTrue) || CarriesSecret(expression.WhenFalse))),
        _ => false,
    };
}
