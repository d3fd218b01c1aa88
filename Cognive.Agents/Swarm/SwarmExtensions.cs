using Cognive.Agents.Specialists;
using Cognive.Client.Hosting;

namespace Cognive.Agents.Swarm;

public static class SwarmExtensions
{
    public const string KeySetting = "Cognive:Agents:ApiKey";
    public const string KeyFileSetting = "Cognive:Agents:ApiKeyFile";

    /// <summary>
    /// The swarm member, its task handlers, and Cognive's SDK with the swarm key for the API Aspire names <c>api</c> (or
    /// <c>ConnectionStrings:cognive-api</c> when set). The key is <c>Cognive:Agents:ApiKey</c> (published: a Secret) or the
    /// file <c>Cognive:Agents:ApiKeyFile</c> names (locally). Without a key the process does not join.
    /// </summary>
    public static IHostApplicationBuilder AddSwarmMember(this IHostApplicationBuilder builder)
    {
        builder.AddSpecialists();
        if (SwarmKey(builder.Configuration) is not { } key)
        {
            builder.Services.AddHostedService<NotJoining>();
            return builder;
        }

        builder.Services.AddCogniveClient(configure: options =>
        {
            options.Endpoint ??= new Uri("https+http://api");
            options.Key ??= key;
        });
        builder.Services.AddHostedService<SwarmMember>();
        return builder;
    }

    private static string? SwarmKey(IConfiguration configuration) =>
        configuration[KeySetting] is { Length: > 0 } key ? key.Trim()
        : configuration[KeyFileSetting] is { Length: > 0 } keyFile && File.Exists(keyFile) ? File.ReadAllText(keyFile).Trim()
        : null;

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
