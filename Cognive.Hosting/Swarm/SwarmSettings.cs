using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting.Swarm;

public static class SwarmSettings
{
    /// <summary>
    /// Passes every AppHost setting under <paramref name="section"/> (e.g. <c>Cognive:Swarm</c>: heartbeat timeout,
    /// recovery policies) to a service as environment variables: tuning the swarm is one place, the AppHost's configuration.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSettings(this IResourceBuilder<ProjectResource> service, IConfiguration configuration,
        string section)
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable(makePathsRelative: true).Where(s => s.Value is not null))
        {
            service.WithEnvironment($"{section}:{key}".Replace(":", "__", StringComparison.Ordinal), value);
        }

        return service;
    }
}
