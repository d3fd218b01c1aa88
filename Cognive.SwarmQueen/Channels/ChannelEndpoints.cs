using System.Security.Claims;
using System.Text.Json;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Quotas;
using Cognive.SwarmQueen.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Cognive.SwarmQueen.Channels;

/// <summary>
/// The swarm's channels (agent-communication, queen-commands, memory-sync, health-checks), one Redis Stream per team and
/// channel, read through consumer groups: a message stays in the group until a consumer acknowledges it, so a
/// subscriber that restarts reads what it missed (new messages) and what it had not acknowledged (its pending ones).
/// </summary>
public static class ChannelEndpoints
{
    public static readonly string[] Channels = ["agent-communication", "queen-commands", "memory-sync", "health-checks"];

    public static RouteGroupBuilder MapChannelEndpoints(this RouteGroupBuilder swarm)
    {
        var channels = swarm.MapGroup("/channels/{channel}").WithTags("Swarm channels");
        channels.MapPost("/messages", SendAsync).RequireAuthorization(Permissions.TelemetryWrite);
        channels.MapGet("/messages", ReceiveAsync).RequireAuthorization(Permissions.TelemetryWrite);
        channels.MapPost("/ack", AcknowledgeAsync).RequireAuthorization(Permissions.TelemetryWrite);
        return swarm;
    }

    /// <summary>A body over <see cref="Quota.ChannelMessageBytes"/> is refused (413); the channel keeps its newest messages within its quotas.</summary>
    private static async Task<Results<Accepted<SentMessage>, ValidationProblem, ProblemHttpResult>> SendAsync(string channel,
        SendMessageRequest request, ClaimsPrincipal user, ChannelLog log, QuotaRefusals refusals, IOptions<SwarmQuotaOptions> quotas,
        CancellationToken ct)
    {
        var errors = Known(channel);
        if (request.Body is null)
        {
            errors["body"] = ["body is required: any JSON."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var body = request.Body!.Value.GetRawText();
        if (body.Length > quotas.Value.ChannelMessageBytes)
        {
            return await refusals.RefuseAsync(user, Quota.ChannelMessageBytes, quotas.Value.ChannelMessageBytes, body.Length, ct);
        }

        var id = await log.PublishAsync(Callers.TeamIdOf(user), channel, body);
        return TypedResults.Accepted((string?)null, new SentMessage(id.ToString()));
    }

    /// <summary>
    /// Up to <paramref name="count"/> messages for <paramref name="consumer"/> of <paramref name="group"/> (the group is
    /// created on first use, from the messages sent after it). <paramref name="pending"/>: the consumer's messages read
    /// but not yet acknowledged, as after a restart.
    /// </summary>
    private static async Task<Results<Ok<ReceivedMessages>, ValidationProblem, ProblemHttpResult>> ReceiveAsync(string channel, string? group,
        string? consumer, int? count, bool? pending, ClaimsPrincipal user, IConnectionMultiplexer redis, ChannelLog log, QuotaRefusals refusals,
        IOptions<SwarmQuotaOptions> quotas, CancellationToken ct)
    {
        var errors = Known(channel);
        Name(errors, "group", group);
        Name(errors, "consumer", consumer);
        if (count is not null and not (>= 1 and <= 1000))
        {
            errors["count"] = ["count is 1 to 1000."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var database = redis.GetDatabase();
        var stream = StreamKey(user, channel);
        Task<StreamEntry[]> ReadAsync() => database.StreamReadGroupAsync(stream, group, consumer,
            pending == true ? StreamPosition.Beginning : StreamPosition.NewMessages, count ?? 100);
        StreamEntry[] entries;
        try
        {
            entries = await ReadAsync();
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // The group's first receive (or Redis lost it): it starts with the messages sent from now on.
            if (await log.CreateGroupAsync(stream, group!) is { Created: false } full)
            {
                return await refusals.RefuseAsync(user, Quota.ChannelGroups, quotas.Value.ChannelGroups, full.Groups, ct);
            }

            entries = await ReadAsync();
        }

        // A pending message the channel has dropped since (its oldest go past the quotas) comes back without a body.
        return TypedResults.Ok(new ReceivedMessages(entries.Where(e => !e["body"].IsNull).Select(e =>
            new ChannelMessage(e.Id.ToString(), JsonDocument.Parse(e["body"].ToString()).RootElement.Clone())).ToList()));
    }

    private static async Task<Results<Ok<AcknowledgeResult>, ValidationProblem>> AcknowledgeAsync(string channel, AcknowledgeRequest request,
        ClaimsPrincipal user, IConnectionMultiplexer redis)
    {
        var errors = Known(channel);
        Name(errors, "group", request.Group);
        if (request.Ids is not { Length: > 0 and <= 1000 } ids || ids.Any(string.IsNullOrWhiteSpace))
        {
            errors["ids"] = ["ids holds 1 to 1000 message ids."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var acknowledged = await redis.GetDatabase().StreamAcknowledgeAsync(StreamKey(user, channel), request.Group,
            request.Ids!.Select(id => (RedisValue)id).ToArray());
        return TypedResults.Ok(new AcknowledgeResult(acknowledged));
    }

    private static Dictionary<string, string[]> Known(string channel) => Channels.Contains(channel)
        ? []
        : new() { ["channel"] = [$"channel is one of {string.Join(", ", Channels)}."] };

    private static void Name(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (!NameLists.IsIdentifier(value, 100))
        {
            errors[field] = [$"{field} has 1 to 100 letters, digits, '-', '_' or '.'."];
        }
    }

    private static RedisKey StreamKey(ClaimsPrincipal user, string channel) => ChannelLog.StreamKey(Callers.TeamIdOf(user), channel);
}

public sealed record SendMessageRequest(JsonElement? Body);

public sealed record SentMessage(string Id);

public sealed record ChannelMessage(string Id, JsonElement Body);

public sealed record ReceivedMessages(IReadOnlyList<ChannelMessage> Messages);

public sealed record AcknowledgeRequest(string? Group, string[]? Ids);

public sealed record AcknowledgeResult(long Acknowledged);
