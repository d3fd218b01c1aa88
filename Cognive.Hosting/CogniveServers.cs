using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Cognive.Hosting.Postgres;
using Cognive.Hosting.Publishing;
using Cognive.Hosting.RabbitMQ;
using Cognive.Hosting.Redis;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting;

/// <summary>
/// The backing servers, as the services see them: three connection-string resources; and in run mode the state
/// folder where local data and secrets live.
/// </summary>
public sealed record CogniveServers(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> Messaging,
    StateFolder? State);

public static class CogniveServersExtensions
{
    public const string DatabaseName = "cognive";

    /// <summary>
    /// PostgreSQL (database <c>cognive</c>), Redis and RabbitMQ, as Aspire's containers or as processes of the installed
    /// binaries (<c>Cognive:Servers</c>). Both forms have the same resource names, connection strings and health checks.
    /// </summary>
    public static CogniveServers AddCogniveServers(this IDistributedApplicationBuilder builder)
    {
        var form = ServerFormSetting.Resolve(builder.Configuration, builder.ExecutionContext.IsPublishMode);
        if (form == ServerForm.Containers)
        {
            var state = builder.ExecutionContext.IsRunMode ? StateFolder.Open(builder.Configuration, builder.AppHostDirectory) : null;
            return builder.AddContainerServers(state);
        }

        return builder.AddProcessServers();
    }

    /// <summary>
    /// Where the migration service writes the first admin API key on an empty database (run mode only; in a cluster
    /// nothing is bootstrapped).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBootstrapKeyFile(this IResourceBuilder<ProjectResource> migrations,
        CogniveServers servers) =>
        servers.State is null
            ? migrations
            : migrations.WithEnvironment("Cognive__BootstrapKeyFile", servers.State.Combine(BootstrapKeyFileName));

    public const string BootstrapKeyFileName = "admin-api-key";

    /// <summary>
    /// Where gateways spool the calls they answered until RabbitMQ confirms them: in run mode a folder of the state folder,
    /// so a gateway killed and started again (or its replicas) replays what it held; published, the pod's <c>/tmp</c> volume.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCallSpool(this IResourceBuilder<ProjectResource> gateway, CogniveServers servers) =>
        servers.State is null
            ? gateway
            : gateway.WithEnvironment("Cognive__Gateway__SpoolDirectory", servers.State.Combine(GatewaySpoolFolderName));

    public const string GatewaySpoolFolderName = "gateway-spool";

    public const string SwarmKeyFileName = "swarm-api-key";

    /// <summary>
    /// Passes the AppHost's <c>Cognive:Smtp</c> settings (host, port, sender, TLS, user) to a service when a host is set;
    /// the password as a secret parameter (<see cref="ServiceSettings"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSmtpSettings(this IResourceBuilder<ProjectResource> service,
        IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration["Cognive:Smtp:Host"]) ? service : service.WithSettings(configuration, "Cognive:Smtp");

    /// <summary>
    /// Lets a local run deliver webhooks to receivers on this machine or its network (development, tests); published
    /// apps call public addresses only.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithLocalWebhookReceivers(this IResourceBuilder<ProjectResource> workers) =>
        workers.ApplicationBuilder.ExecutionContext.IsRunMode
            ? workers.WithEnvironment("Cognive__Webhooks__AllowPrivateNetworks", "true")
            : workers;

    /// <summary>
    /// A secret the services share (a signing key): kept in the state folder in run mode, so it survives restarts;
    /// published with a generated default (letters and digits), which aspirate and the Kubernetes publisher generate.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSharedSecret(this IDistributedApplicationBuilder builder, CogniveServers servers,
        string name) =>
        servers.State is { } state
            ? builder.AddParameter(name, state.GetOrCreatePassword(name), secret: true)
            : builder.AddParameter(name, new GenerateParameterDefault { MinLength = SharedSecretLength, Special = false }, secret: true);

    private const int SharedSecretLength = 48;

    private static CogniveServers AddContainerServers(this IDistributedApplicationBuilder builder, StateFolder? state)
    {
        var publishing = builder.ExecutionContext.IsPublishMode;
        var postgres = builder.AddPostgres("postgres").WithDataVolume();
        var redis = builder.AddRedis("redis").WithDataVolume()
            .WithMemoryCeiling(RedisMemory.From(builder.Configuration, inCluster: publishing));
        return new(
            Database: (publishing ? postgres.WithPublishedBackups() : postgres).AddDatabase(DatabaseName).AsConnectionString(),
            Redis: (publishing ? redis.WithPasswordInSecretVariable() : redis).AsConnectionString(),
            Messaging: publishing
                ? builder.AddPublishedRabbitMQ("rabbitmq").AsConnectionString()
                : builder.AddRabbitMQ("rabbitmq").WithDataVolume().AsConnectionString(),
            State: state);
    }

    /// <summary>
    /// <c>Cognive:ProxyServerEndpoints=true</c> puts DCP's proxy between the services and the servers; off by default
    /// because it costs throughput (README, performance notes). It exists to measure that cost.
    /// </summary>
    public const string ProxySettingKey = "Cognive:ProxyServerEndpoints";

    private static CogniveServers AddProcessServers(this IDistributedApplicationBuilder builder)
    {
        var state = StateFolder.Open(builder.Configuration, builder.AppHostDirectory);
        var proxied = builder.Configuration.GetValue<bool>(ProxySettingKey);
        return new(
            Database: builder.AddLocalPostgres("postgres", state, proxied).AddDatabase(DatabaseName).AsConnectionString(),
            Redis: builder.AddLocalRedis("redis", state, proxied).AsConnectionString(),
            Messaging: builder.AddLocalRabbitMQ("rabbitmq", state, proxied).AsConnectionString(),
            State: state);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AsConnectionString<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString => (IResourceBuilder<IResourceWithConnectionString>)builder;
}
