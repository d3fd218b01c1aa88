using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.RabbitMQ;

/// <summary>rabbitmq-server from the installed binaries, with the connection string Aspire's <c>AddRabbitMQ</c> gives.</summary>
public sealed class LocalRabbitMQServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : LocalServerResource(name, command, workingDirectory, password), IResourceWithConnectionString
{
    internal const string DistributionEndpointName = "dist";
    internal const string PortMapperEndpointName = "epmd";
    internal const string UserName = "guest";

    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{PasswordParameter}@{Host}:{Port}");

    /// <summary>The same properties as Aspire's RabbitMQ resource, so services get the same <c>RABBITMQ_*</c> variables.</summary>
    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Host}")),
        new("Port", ReferenceExpression.Create($"{Port}")),
        new("Username", ReferenceExpression.Create($"{UserName}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("Uri", ConnectionStringExpression),
    ];
}
