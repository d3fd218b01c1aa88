using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Publishing;

/// <summary>
/// The servers' containers as published, shaped for aspirate: it keeps a container's variable in a Secret only when the
/// name starts with <c>ConnectionString</c> (or is <c>POSTGRES_PASSWORD</c>), so the Redis and RabbitMQ passwords reach
/// their containers under such a name and the start command hands them on under the name the server reads.
/// </summary>
public static class PublishedServers
{
    public const string RedisPasswordVariable = ServiceEnvironment.SecretPrefix + "REDIS_PASSWORD";
    public const string RabbitMQPasswordVariable = ServiceEnvironment.SecretPrefix + "RABBITMQ_DEFAULT_PASS";

    /// <summary>Aspire starts Redis as <c>/bin/sh -c "redis-server --requirepass $REDIS_PASSWORD …"</c>.</summary>
    public static IResourceBuilder<RedisResource> WithPasswordInSecretVariable(this IResourceBuilder<RedisResource> redis) =>
        redis
            .WithEnvironment(context =>
            {
                if (context.EnvironmentVariables.Remove("REDIS_PASSWORD", out var password))
                {
                    context.EnvironmentVariables[RedisPasswordVariable] = password;
                }
            })
            .WithArgs(context =>
            {
                var server = context.Args.ToList().FindIndex(a => a is string s && s.Contains("$REDIS_PASSWORD", StringComparison.Ordinal));
                if (server < 0)
                {
                    throw new CogniveHostingException("Aspire's Redis container no longer reads $REDIS_PASSWORD in its start command.");
                }

                context.Args[server] = ((string)context.Args[server]).Replace("$REDIS_PASSWORD", "$" + RedisPasswordVariable, StringComparison.Ordinal);
            });

    /// <summary>
    /// RabbitMQ as Aspire's <c>AddRabbitMQ</c> publishes it (the same image, user, port and data folder), but with a
    /// connection string that holds its password as it is: Aspire's URI-encodes it, which the manifest can only say with
    /// an <c>annotated.string</c> aspirate does not resolve. Generated passwords are letters and digits, safe in a URI.
    /// </summary>
    public static IResourceBuilder<PublishedRabbitMQResource> AddPublishedRabbitMQ(this IDistributedApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 22, Special = false }, secret: true);
        var rabbitmq = builder.AddResource(new PublishedRabbitMQResource(name, password.Resource))
            .WithImage("library/rabbitmq", "4.3")
            .WithImageRegistry("docker.io")
            .WithEndpoint(targetPort: 5672, name: PublishedRabbitMQResource.EndpointName, scheme: "tcp")
            .WithEnvironment("RABBITMQ_DEFAULT_USER", PublishedRabbitMQResource.UserName)
            .WithEnvironment(RabbitMQPasswordVariable, password)
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", $"RABBITMQ_DEFAULT_PASS=\"${RabbitMQPasswordVariable}\" exec docker-entrypoint.sh rabbitmq-server");
        return rabbitmq.WithVolume(VolumeNameGenerator.Generate(rabbitmq, "data"), "/var/lib/rabbitmq");
    }
}

public sealed class PublishedRabbitMQResource(string name, ParameterResource password) : ContainerResource(name), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "guest";

    private EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{password}@{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}
