using System.Security.Cryptography;
using System.Text;

namespace Cognive.Agents.Swarm;

/// <summary>
/// Who this process is in the swarm. The instance id derives from the kind and the host, so a replica the queen restarts
/// comes back as the same instance (its recoveries count on it); the host is the AppHost replica (from the OpenTelemetry
/// resource Aspire gives it) or the machine, which in Kubernetes is the pod.
/// </summary>
public sealed record SwarmIdentity(Guid InstanceId, string Kind, string Host)
{
    public const string KindSetting = "Cognive:Agents:Kind";

    public static SwarmIdentity FromEnvironment(IConfiguration configuration)
    {
        var kind = configuration[KindSetting] is { Length: > 0 } configured ? configured : "agents";
        var host = AspireReplica(configuration) ?? Environment.MachineName;
        var id = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}/{host}")).AsSpan(0, 16));
        return new SwarmIdentity(id, kind, host);
    }

    /// <summary>Aspire names a replica "{service}-{service.instance.id}", the id its resource commands take.</summary>
    private static string? AspireReplica(IConfiguration configuration)
    {
        var instance = configuration["OTEL_RESOURCE_ATTRIBUTES"]?.Split(',')
            .Select(attribute => attribute.Split('=', 2))
            .FirstOrDefault(pair => pair is ["service.instance.id", { Length: > 0 }])?[1];
        return instance is not null && configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } service ? $"{service}-{instance}" : null;
    }
}
