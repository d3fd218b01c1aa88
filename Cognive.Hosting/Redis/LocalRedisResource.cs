using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Redis;

/// <summary>redis-server from the installed binaries, with the connection string Aspire's <c>AddRedis</c> gives.</summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password)
    : LocalServerResource(name, command, workingDirectory, password), IResourceWithConnectionString
{
    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Host}:{Port},password={PasswordParameter}");

    /// <summary>The same properties as Aspire's Redis resource, so services get the same <c>REDIS_*</c> variables.</summary>
    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Host}")),
        new("Port", ReferenceExpression.Create($"{Port}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("Uri", ReferenceExpression.Create($"redis://:{PasswordParameter}@{Host}:{Port}")),
    ];
}
