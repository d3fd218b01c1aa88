using Cognive.Agents.Specialists;
using Cognive.Client.Hosting;

namespace Cognive.Agents.Swarm;

public static class SwarmExtensions
{
    public const string KeyFileSetting = "Cognive:Agents:ApiKeyFile";

    /// <summary>
    /// The swarm member, its task handlers, and Cognive's SDK with the swarm key (<c>Cognive:Agents:ApiKeyFile</c>) for the API
    /// Aspire names <c>api</c> (or <c>ConnectionStrings:cognive-api</c> when set). Without a key the process does not join.
    /// </summary>
    public static IHostApplicationBuilder AddSwarmMember(this IHostApplicationBuilder builder)
    {
        builder.AddSpecialists();
        if (builder.Configuration[KeyFileSetting] is not { Length: > 0 } keyFile || !File.Exists(keyFile))
        {
            builder.Services.AddHostedService<NotJoining>();
            return builder;
        }

        var key = File.ReadAllText(keyFile).Trim();
        builder.Services.AddCogniveClient(configure: options =>
        {
            options.Endpoint ??= new Uri("https+http://api");
            options.Key ??= key;
        });
        builder.Services.AddHostedService<SwarmMember>();
        return builder;
    }

    private sealed class NotJoining(ILogger<NotJoining> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogInformation("No swarm key configured: not joining the swarm");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
