using System.Net;
using System.Security.Cryptography;
using System.Text;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Cognive.ApiService.RateLimits;

/// <summary>
/// The per-account side of sign-in limits, in Redis so every API replica sees one count (see <see cref="SignInSettings"/>
/// for the rule). Every e-mail is treated alike, registered or not, so a lock tells nothing about who exists. A lock
/// never shuts out an address the person signed in from before and that has not failed since: an attacker elsewhere can
/// slow guessing down, not lock the person out. Redis keys name the e-mail's SHA-256, never the e-mail.
/// </summary>
public sealed class AccountLocks(IConnectionMultiplexer redis, IOptions<SignInSettings> options, ILogger<AccountLocks> logger)
{
    private readonly SignInSettings _settings = options.Value;

    // KEYS: failures, lock, this address' failure mark. ARGV: failures before the lock, first lock ms, max lock ms.
    // The lock doubles with each failure past the threshold; the count lives as long as the longest lock, twice.
    private const string FailScript = """
        local failures = redis.call('INCR', KEYS[1])
        redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
        redis.call('SET', KEYS[3], 1, 'PX', ARGV[3])
        local past = failures - tonumber(ARGV[1])
        if past >= 0 then
            local lock = math.min(tonumber(ARGV[2]) * math.pow(2, math.min(past, 40)), tonumber(ARGV[3]))
            redis.call('SET', KEYS[2], 1, 'PX', math.floor(lock))
        end
        return failures
        """;

    /// <summary>How long until the account may be tried from <paramref name="address"/>; null: it may be tried now.</summary>
    public async Task<TimeSpan?> LockedForAsync(string email, IPAddress? address)
    {
        try
        {
            var db = redis.GetDatabase();
            var account = AccountOf(email);
            var locked = await db.KeyTimeToLiveAsync($"cognive:signin:lock:{account}");
            if (locked is not { } remaining)
            {
                return null;
            }

            var known = db.KeyExistsAsync($"cognive:signin:known:{account}:{address}");
            var failedHere = db.KeyExistsAsync($"cognive:signin:failed:{account}:{address}");
            return await known && !await failedHere ? null : remaining;
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            // Like the rate limits: without Redis sign-in goes on, slowed only by the password hash.
            logger.LogWarning("Sign-in lock not checked, Redis did not answer: {Reason}", e.Message);
            return null;
        }
    }

    public async Task FailedAsync(string email, IPAddress? address)
    {
        var account = AccountOf(email);
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(FailScript,
                [$"cognive:signin:failures:{account}", $"cognive:signin:lock:{account}", $"cognive:signin:failed:{account}:{address}"],
                [_settings.FailuresBeforeLock, (long)_settings.FirstLock.TotalMilliseconds, (long)_settings.MaxLock.TotalMilliseconds]);
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            logger.LogWarning("Failed sign-in not counted, Redis did not answer: {Reason}", e.Message);
        }
    }

    /// <summary>A success ends the lock and makes the address a known one for this account.</summary>
    public async Task SucceededAsync(string email, IPAddress? address)
    {
        var account = AccountOf(email);
        try
        {
            var db = redis.GetDatabase();
            await db.KeyDeleteAsync([$"cognive:signin:failures:{account}", $"cognive:signin:lock:{account}",
                $"cognive:signin:failed:{account}:{address}"]);
            await db.StringSetAsync($"cognive:signin:known:{account}:{address}", 1, _settings.KnownAddressLifetime);
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            logger.LogWarning("Successful sign-in not recorded, Redis did not answer: {Reason}", e.Message);
        }
    }

    private static string AccountOf(string email) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)));
}
