using Cognive.Data;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// The stored side of API keys as authentication needs it on every request: from Redis, falling back to PostgreSQL
/// on a miss. Revoking drops the entry, so a revoked key fails on every replica at its next request.
/// </summary>
public sealed class ApiKeyDirectory(IConnectionMultiplexer redis)
{
    /// <summary>Short, so that a lookup racing a revocation cannot keep a revoked key alive for long.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>Recording every use would write on every request; a minute's precision is enough for "last used".</summary>
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    public async Task<StoredKey?> FindAsync(CogniveDbContext db, string prefix, CancellationToken ct)
    {
        var cache = redis.GetDatabase();
        var cached = await cache.StringGetAsync(Key(prefix));
        if (cached.HasValue && StoredKey.Parse(cached.ToString()) is { } hit)
        {
            return hit;
        }

        var stored = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix)
            .Join(db.Teams, k => k.TeamId, t => t.Id, (k, t) => new StoredKey(k.Id, k.TeamId, k.SecretHash, t.IsAdmin, k.RevokedAt != null))
            .SingleOrDefaultAsync(ct);
        if (stored is not null)
        {
            await cache.StringSetAsync(Key(prefix), stored.ToString(), Lifetime);
        }

        return stored;
    }

    /// <summary>Records the key's use at most once a minute (across replicas).</summary>
    public async Task RecordUseAsync(CogniveDbContext db, StoredKey key, DateTimeOffset now, CancellationToken ct)
    {
        if (await redis.GetDatabase().StringSetAsync($"cognive:api-key-used:{key.Id:N}", 1, LastUsedPrecision, When.NotExists))
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), ct);
        }
    }

    public Task ForgetAsync(string prefix) => redis.GetDatabase().KeyDeleteAsync(Key(prefix));

    private static RedisKey Key(string prefix) => $"cognive:api-key:{prefix}";
}

/// <summary>An API key as stored: never the secret, only its hash.</summary>
public sealed record StoredKey(Guid Id, Guid TeamId, byte[] SecretHash, bool IsAdmin, bool Revoked)
{
    public override string ToString() => $"{Id:N}|{TeamId:N}|{Convert.ToBase64String(SecretHash)}|{(IsAdmin ? 1 : 0)}|{(Revoked ? 1 : 0)}";

    public static StoredKey? Parse(string text)
    {
        var parts = text.Split('|');
        return parts.Length == 5 && Guid.TryParse(parts[0], out var id) && Guid.TryParse(parts[1], out var team)
            ? new StoredKey(id, team, Convert.FromBase64String(parts[2]), parts[3] == "1", parts[4] == "1")
            : null;
    }
}
