using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting;

/// <summary>
/// A server run from the installed binaries, reached on its primary <c>tcp</c> endpoint with a generated password:
/// what the process forms of PostgreSQL, Redis and RabbitMQ share.
/// </summary>
public abstract class LocalServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    public ParameterResource PasswordParameter { get; } = password;

    public abstract ReferenceExpression ConnectionStringExpression { get; }
}
