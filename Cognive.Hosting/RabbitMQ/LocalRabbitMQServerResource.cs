using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.RabbitMQ;

/// <summary>rabbitmq-server from the installed binaries, with the connection string Aspire's <c>AddRabbitMQ</c> gives.</summary>
public sealed class LocalRabbitMQServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string DistributionEndpointName = "dist";
    internal const string PortMapperEndpointName = "epmd";
    internal const string UserName = "guest";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{PasswordParameter}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
