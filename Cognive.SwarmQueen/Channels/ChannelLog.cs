using Cognive.SwarmQueen.Quotas;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Cognive.SwarmQueen.Channels;

/// <summary>
/// A team's channel in Redis: one Stream, kept within the team's quotas. It is a bounded log: a message past
/// <see cref="SwarmQuotaOptions.ChannelMessages"/> or <see cref="SwarmQuotaOptions.ChannelBytes"/> drops the oldest ones
/// (a stopped consumer must not block every sender), counted exactly in one script with the stream's bytes beside it.
/// Consumer groups, each with its own pending list, are capped per channel.
/// </summary>
public sealed class ChannelLog(IConnectionMultiplexer redis, IOptions<SwarmQuotaOptions> quotas)
{
    // KEYS: the stream, its bytes. ARGV: the body, messages kept, bytes kept. A lost byte count starts again with its stream.
    private const string PublishScript = """
        local bytes = 0
        if redis.call('EXISTS', KEYS[1]) == 1 then bytes = tonumber(redis.call('GET', KEYS[2]) or '0') end
        local id = redis.call('XADD', KEYS[1], '*', 'body', ARGV[1])
        bytes = bytes + string.len(ARGV[1])
        local length = redis.call('XLEN', KEYS[1])
        while length > 1 and (length > tonumber(ARGV[2]) or bytes > tonumber(ARGV[3])) do
            local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
            bytes = bytes - string.len(oldest[2][2])
            redis.call('XDEL', KEYS[1], oldest[1])
            length = length - 1
        end
        redis.call('SET', KEYS[2], math.max(bytes, 0))
        return id
        """;

    // KEYS: the stream. ARGV: the group, groups allowed. Returns {1 created or there already, 0 refused; groups}.
    private const string CreateGroupScript = """
        local groups = 0
        if redis.call('EXISTS', KEYS[1]) == 1 then groups = #redis.call('XINFO', 'GROUPS', KEYS[1]) end
        if groups >= tonumber(ARGV[2]) then return {0, groups} end
        redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '$', 'MKSTREAM')
        return {1, groups}
        """;

    /// <summary>Adds a message to a team's channel, as agents send them and the queen raises its alerts.</summary>
    public async Task<RedisValue> PublishAsync(Guid teamId, string channel, string body) =>
        (RedisValue)await redis.GetDatabase().ScriptEvaluateAsync(PublishScript,
            [StreamKey(teamId, channel), $"cognive:channel-bytes:{teamId:N}:{channel}"],
            [body, quotas.Value.ChannelMessages, quotas.Value.ChannelBytes]);

    /// <summary>
    /// Creates <paramref name="group"/>, reading from the messages sent after it (or keeps it, created meanwhile by another
    /// receive); refused when the channel has <see cref="SwarmQuotaOptions.ChannelGroups"/> groups already.
    /// </summary>
    public async Task<(bool Created, long Groups)> CreateGroupAsync(RedisKey stream, string group)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CreateGroupScript, [stream],
            [group, quotas.Value.ChannelGroups]))!;
        return ((int)result[0] == 1, (long)result[1]);
    }

    public static RedisKey StreamKey(Guid teamId, string channel) => $"cognive:channel:{teamId:N}:{channel}";
}
