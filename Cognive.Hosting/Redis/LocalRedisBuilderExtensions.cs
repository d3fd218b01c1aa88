using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Hosting.Redis;

public static class LocalRedisBuilderExtensions
{
    /// <summary>
    /// redis-server from the installed binaries. The password lives in a configuration file readable by its owner
    /// only, so it never shows on a command line; the append-only file keeps data across restarts; its memory has a
    /// ceiling it never evicts to stay under (<see cref="RedisMemory"/>).
    /// </summary>
    /// <param name="proxyClients">Whether clients reach the server through DCP's proxy; direct is faster.</param>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, StateFolder state, bool proxyClients = false)
    {
        var executable = InstalledServer.Locate(builder.Configuration, "Redis", "redis-server",
            ["/usr/bin", "/usr/local/bin"], "redis-server");

        var passwordValue = state.GetOrCreatePassword($"{name}-password");
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);
        var configFile = WriteConfig(state, passwordValue, RedisMemory.From(builder.Configuration, inCluster: false));

        var redis = new LocalRedisResource(name, executable, state.Path, password.Resource);

        var connectionString = KnownConnectionString.Capture(builder, redis);

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString.Value,
            name: healthCheckKey);

        return builder.AddResource(redis)
            .WithArgs(configFile)
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithEndpoint(name: LocalRedisResource.PrimaryEndpointName, scheme: "tcp", isProxied: proxyClients)
            .WithIconName("Memory")
            .WithHealthCheck(healthCheckKey);
    }

    private static string WriteConfig(StateFolder state, string password, RedisMemory memory)
    {
        var dataFolder = Directory.CreateDirectory(state.Combine("redis")).FullName;
        var configFile = Path.Combine(dataFolder, "redis.conf");
        SecretFile.Write(configFile, $"""
            bind 127.0.0.1
            protected-mode yes
            dir {dataFolder}
            appendonly yes
            appendfsync everysec
            save 60 1000
            requirepass {password}
            {memory.ConfigLines}
            """);
        return configFile;
    }
}
