using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting;

/// <summary>
/// A resource's connection string, captured when Aspire announces it, for the health checks and start-up work that
/// run after that (they cannot resolve it themselves earlier: the ports are not allocated yet).
/// </summary>
internal sealed class KnownConnectionString
{
    private readonly string _resourceName;
    private string? _value;

    private KnownConnectionString(string resourceName) => _resourceName = resourceName;

    public string Value => _value ??
        throw new InvalidOperationException($"The connection string of {_resourceName} is not known yet.");

    public static KnownConnectionString Capture(IDistributedApplicationBuilder builder, IResourceWithConnectionString resource)
    {
        var known = new KnownConnectionString(resource.Name);
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            known._value = await resource.ConnectionStringExpression.GetValueAsync(ct));
        return known;
    }
}
