using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Cognive.Hosting.RabbitMQ;

public static class LocalRabbitMQBuilderExtensions
{
    /// <summary>
    /// rabbitmq-server from the installed binaries, data in <c>{state}/rabbitmq</c>. Its Erlang port mapper (epmd)
    /// listens on a private port, so instances never share one, and is stopped when the node exits.
    /// </summary>
    /// <param name="proxyClients">Whether clients reach the server through DCP's proxy; direct is faster.</param>
    public static IResourceBuilder<LocalRabbitMQServerResource> AddLocalRabbitMQ(
        this IDistributedApplicationBuilder builder, string name, StateFolder state, bool proxyClients = false)
    {
        var executable = InstalledServer.Locate(builder.Configuration, "RabbitMQ", "rabbitmq-server",
            ["/usr/lib/rabbitmq/bin"], "rabbitmq-server");
        var epmdExecutable = InstalledServer.Locate(builder.Configuration, "Epmd", "epmd",
            ["/usr/bin", "/usr/lib/erlang/bin"], "erlang-base");

        var passwordValue = state.GetOrCreatePassword($"{name}-password");
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);
        var home = PrepareHome(state.Combine("rabbitmq"), passwordValue);

        var server = new LocalRabbitMQServerResource(name, "bash", home, password.Resource);

        var connectionString = KnownConnectionString.Capture(builder, server);

        var healthCheckKey = $"{name}_check";
        IConnection? connection = null;
        builder.Services.AddHealthChecks().AddRabbitMQ(async _ =>
            connection ??= await new ConnectionFactory { Uri = new Uri(connectionString.Value) }.CreateConnectionAsync(),
            name: healthCheckKey);

        return builder.AddResource(server)
            .WithArgs(Path.Combine(AppContext.BaseDirectory, "scripts", "rabbitmq-run.sh"), executable, epmdExecutable)
            .WithEndpoint(name: LocalRabbitMQServerResource.PrimaryEndpointName, scheme: "tcp", env: "RABBITMQ_NODE_PORT", isProxied: proxyClients)
            .WithEndpoint(name: LocalRabbitMQServerResource.DistributionEndpointName, scheme: "tcp", env: "RABBITMQ_DIST_PORT", isProxied: false)
            .WithEndpoint(name: LocalRabbitMQServerResource.PortMapperEndpointName, scheme: "tcp", env: "ERL_EPMD_PORT", isProxied: false)
            .WithEnvironment("RABBITMQ_NODENAME", NodeName(home))
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            // Erlang distribution and epmd listen on every interface unless told otherwise.
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(home, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(home, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(home, "rabbitmq.conf"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(home, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_FEATURE_FLAGS_FILE", Path.Combine(home, "feature_flags"))
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(home, "rabbitmq.pid"))
            .WithEnvironment("HOME", home)
            .WithIconName("Mailbox")
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>A node name unique to the state folder, so a test run beside a dev run never clashes.</summary>
    private static string NodeName(string home) =>
        $"cognive-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(home)))[..12]}@localhost";

    private static string PrepareHome(string home, string password)
    {
        Directory.CreateDirectory(Path.Combine(home, "mnesia"));
        Directory.CreateDirectory(Path.Combine(home, "log"));
        var config = Path.Combine(home, "rabbitmq.conf");
        SecretFile.Write(config, $"""
            default_user = {LocalRabbitMQServerResource.UserName}
            default_pass = {password}
            loopback_users = none
            """);
        File.WriteAllText(Path.Combine(home, "enabled_plugins"), "[].");
        ServiceAccount.GiveTo("rabbitmq", home);
        return home;
    }
}
