using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// Resolves the app model's values (reference expressions, endpoints, parameters, connection strings) to what they
/// are inside the cluster: a resource's host is its Service name, a port its container port, a secret setting
/// (<see cref="ServiceSettings"/>) its configured value, any other secret parameter the value generated and kept in the
/// output folder. Anything it cannot resolve is an error, so no placeholder ever reaches a manifest.
/// </summary>
public sealed class ClusterExpressionResolver(ClusterTopology topology, ClusterSecrets secrets, IConfiguration configuration)
{
    public async ValueTask<ClusterValue> ResolveAsync(object? value, CancellationToken ct) => value switch
    {
        null => new("", false),
        string text => new(text, false),
        ReferenceExpression expression => await ResolveExpressionAsync(expression, ct),
        EndpointReference endpoint => Endpoint(endpoint, EndpointProperty.Url),
        EndpointReferenceExpression property => Endpoint(property.Endpoint, property.Property),
        ParameterResource parameter => await ParameterAsync(parameter, ct),
        ConnectionStringReference reference => await ConnectionStringAsync(reference.Resource, ct),
        IResourceWithConnectionString resource => await ConnectionStringAsync(resource, ct),
        IFormattable formattable => new(formattable.ToString(null, CultureInfo.InvariantCulture), false),
        _ => throw new CogniveHostingException(
            $"The Kubernetes publisher cannot resolve a value of type {value.GetType().Name}."),
    };

    private async ValueTask<ClusterValue> ResolveExpressionAsync(ReferenceExpression expression, CancellationToken ct)
    {
        if (expression.IsConditional)
        {
            var condition = await ResolveAsync(expression.Condition, ct);
            var branch = string.Equals(condition.Value, expression.MatchValue, StringComparison.OrdinalIgnoreCase)
                ? expression.WhenTrue
                : expression.WhenFalse;
            return await ResolveAsync(branch, ct);
        }

        var parts = new object[expression.ValueProviders.Count];
        var isSecret = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await ResolveAsync(expression.ValueProviders[i], ct);
            isSecret |= part.IsSecret;
            parts[i] = expression.StringFormats[i] == "uri" ? Uri.EscapeDataString(part.Value) : part.Value;
        }

        return new(string.Format(CultureInfo.InvariantCulture, expression.Format, parts), isSecret);
    }

    private ClusterValue Endpoint(EndpointReference endpoint, EndpointProperty property)
    {
        var service = topology.ServiceName(endpoint.Resource);
        var port = topology.Port(endpoint.Resource, endpoint.EndpointName).ToString(CultureInfo.InvariantCulture);
        var scheme = endpoint.EndpointAnnotation.UriScheme;
        return new(property switch
        {
            EndpointProperty.Url => $"{scheme}://{service}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => service,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.HostAndPort => $"{service}:{port}",
            EndpointProperty.Scheme => scheme,
            EndpointProperty.TlsEnabled => bool.FalseString, // Traefik terminates TLS at the edge
            _ => throw new CogniveHostingException($"The Kubernetes publisher cannot resolve endpoint property {property}."),
        }, false);
    }

    /// <summary>A secret setting is the operator's value; any other secret parameter is generated for the cluster.</summary>
    private async ValueTask<ClusterValue> ParameterAsync(ParameterResource parameter, CancellationToken ct) =>
        parameter.Secret
            ? new(parameter.Annotations.OfType<ServiceSettings.SettingAnnotation>().SingleOrDefault() is { } setting
                ? configuration[setting.Key] ?? ""
                : secrets.GetOrGenerate(parameter.Name, GeneratedLength(parameter)), true)
            : new(await parameter.GetValueAsync(ct) ?? "", false);

    /// <summary>The length the model asks for (the swarm key's parts have exact lengths), else <see cref="ClusterSecrets.DefaultLength"/>.</summary>
    private static int GeneratedLength(ParameterResource parameter) =>
        parameter.Default is GenerateParameterDefault { MinLength: > 0 } generate ? generate.MinLength : ClusterSecrets.DefaultLength;

    private async ValueTask<ClusterValue> ConnectionStringAsync(IResourceWithConnectionString resource, CancellationToken ct)
    {
        var value = await ResolveAsync(resource.ConnectionStringExpression, ct);
        return value with { IsSecret = true }; // connection strings carry credentials
    }
}
