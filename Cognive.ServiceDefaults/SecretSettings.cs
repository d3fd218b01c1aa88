using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Published, a service's secret settings arrive named as connection strings (<c>ConnectionStrings__Cognive__Jwt__SigningKey</c>):
/// aspirate keeps a variable in a Kubernetes Secret only when its name starts with <c>ConnectionString</c>, so the AppHost
/// names them so (<c>Cognive.Hosting.ServiceEnvironment</c>). Here they become the settings they are (<c>Cognive:Jwt:SigningKey</c>).
/// </summary>
public static class SecretSettings
{
    public const string Section = "ConnectionStrings:Cognive";

    public static IConfigurationBuilder AddSecretSettings(this IConfigurationManager configuration)
    {
        var settings = configuration.GetSection(Section).AsEnumerable(makePathsRelative: true)
            .Where(setting => setting.Value is not null)
            .Select(setting => KeyValuePair.Create($"Cognive:{setting.Key}", setting.Value))
            .ToList();
        return settings.Count == 0 ? configuration : configuration.AddInMemoryCollection(settings);
    }
}
