using System.Text.Json;
using Cognive.SwarmQueen.Channels;
using StackExchange.Redis;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// The queen's alerts go to the team's <c>health-checks</c> channel (a Redis Stream read through consumer groups, so
/// a subscriber that was away still gets them) and to the log.
/// </summary>
public sealed class SwarmAlerts(IConnectionMultiplexer redis, ILogger<SwarmAlerts> logger)
{
    public const string Channel = "health-checks";

    public async Task RaiseAsync(Guid teamId, string alert, string kind, string detail)
    {
        logger.LogWarning("Swarm alert {Alert} for team {TeamId}, kind {Kind}: {Detail}", alert, teamId, kind, detail);
        var body = JsonSerializer.Serialize(new { type = "swarm.alert", alert, kind, detail, raised_at = DateTimeOffset.UtcNow });
        await ChannelEndpoints.PublishAsync(redis, teamId, Channel, body);
    }

    /// <summary>Raises an alert at most once per <paramref name="every"/> for its key (across queens).</summary>
    public async Task RaiseOnceAsync(Guid teamId, string alert, string kind, string detail, TimeSpan every)
    {
        if (await redis.GetDatabase().StringSetAsync($"cognive:swarm-alert:{teamId:N}:{alert}:{kind}", 1, every, When.NotExists))
        {
            await RaiseAsync(teamId, alert, kind, detail);
        }
    }
}
