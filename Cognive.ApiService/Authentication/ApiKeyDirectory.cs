using System.Collections.Concurrent;
using Cognive.ApiService.Caching;
using Cognive.Governance.Caching;
using Cognive.Data;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// The stored side of API keys as authentication needs it on every request: from this replica's memory (10 s), then
/// Redis (1 minute), then PostgreSQL. Revoking drops the entry in Redis and, through pub/sub, in every replica's
/// memory, so a revoked key fails at its next request; a lookup racing the revocation, or a lost notice, can keep it
/// alive for at most the Redis entry's minute.
/// </summary>
public sealed class ApiKeyDirectory(IConnectionMultiplexer redis, TimeProvider time, ILogger<ApiKeyDirectory> logger)
{
    private readonly ReplicaCache<StoredKey> _replica = new(redis, "cognive:api-key-changed", TimeSpan.FromSeconds(10), time, logger);

    /// <summary>Short, so that a lookup racing a revocation cannot keep a revoked key alive for long.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>Recording every use would write on every request; a minute's precision is enough for "last used".</summary>
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    /// <summary>When this replica last claimed each key's once-a-minute write: most requests need no Redis call for it.</summary>
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _lastClaimed = new();

    public ValueTask<StoredKey?> FindAsync(CogniveDbContext db, string prefix, CancellationToken ct) => _replica.GetAsync(prefix, () =>
        RedisReadThrough.GetAsync(redis.GetDatabase(), Key(prefix), ApiJson.Default.StoredKey, Lifetime, () => db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix)
            .Join(db.Teams, k => k.TeamId, t => t.Id,
                (k, t) => new StoredKey(k.Id, k.TeamId, k.SecretHash, t.IsAdmin, k.RevokedAt != null, k.RateLimitPerMinute, k.Scopes, k.ExpiresAt))
            .SingleOrDefaultAsync(ct)));

    /// <summary>Records the key's use at most once a minute across replicas (Redis decides which replica writes).</summary>
    public async Task RecordUseAsync(CogniveDbContext db, StoredKey key, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_lastClaimed.TryGetValue(key.Id, out var claimed) && now - claimed < LastUsedPrecision)
        {
            return;
        }

        _lastClaimed[key.Id] = now;
        try
        {
            if (!await redis.GetDatabase().StringSetAsync($"cognive:api-key-used:{key.Id:N}", 1, LastUsedPrecision, When.NotExists))
            {
                return;
            }
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            // Without Redis to elect a writer, each replica writes its own once-a-minute update.
        }

        await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), ct);
    }

    /// <summary>After a revocation committed: a Redis failure here leaves the cached entry to lapse within its minute.</summary>
    public async Task ForgetAsync(string prefix)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(Key(prefix));
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            logger.LogWarning("Revoked key {Prefix} stays in Redis' cache until it lapses: {Reason}", prefix, e.Message);
        }

        await _replica.ChangedAsync(prefix);
    }

    /// <summary>Versioned with the entry's shape: an entry without scopes, from before they existed, is never read.</summary>
    private static RedisKey Key(string prefix) => $"cognive:api-key:v2:{prefix}";
}

/// <summary>An API key as stored: never the secret, only its hash.</summary>
public sealed record StoredKey(Guid Id, Guid TeamId, byte[] SecretHash, bool IsAdmin, bool Revoked, int? RateLimitPerMinute,
    string[] Scopes, DateTimeOffset? ExpiresAt);
