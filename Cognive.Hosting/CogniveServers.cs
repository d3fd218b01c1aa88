using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Cognive.Hosting.Postgres;
using Cognive.Hosting.RabbitMQ;
using Cognive.Hosting.Redis;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting;

/// <summary>The backing servers, as the services see them: three connection-string resources.</summary>
public sealed record CogniveServers(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> Messaging);

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
        return form == ServerForm.Containers ? builder.AddContainerServers() : builder.AddProcessServers();
    }

    private static CogniveServers AddContainerServers(this IDistributedApplicationBuilder builder) => new(
        Database: builder.AddPostgres("postgres").WithDataVolume().AddDatabase(DatabaseName).AsConnectionString(),
        Redis: builder.AddRedis("redis").WithDataVolume().AsConnectionString(),
        Messaging: builder.AddRabbitMQ("rabbitmq").WithDataVolume().AsConnectionString());

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
            Messaging: builder.AddLocalRabbitMQ("rabbitmq", state, proxied).AsConnectionString());
    }

    private static IResourceBuilder<IResourceWithConnectionString> AsConnectionString<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString => (IResourceBuilder<IResourceWithConnectionString>)builder;
}
