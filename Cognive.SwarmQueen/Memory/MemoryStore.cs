using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using StackExchange.Redis;

namespace Cognive.SwarmQueen.Memory;

/// <summary>
/// Shared swarm memory. Writes go to PostgreSQL first — the compare-and-set is one conditional statement there, so of
/// concurrent writers expecting the same version exactly one wins — then to Redis, which serves reads. Redis holds a
/// copy only: an entry it lost (restart, eviction) is read from PostgreSQL and cached again.
/// </summary>
public sealed class MemoryStore(NpgsqlDataSource db, IConnectionMultiplexer redis, TimeProvider time)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    // KEYS: the entry. ARGV: its JSON, its version, lifetime ms. Newer versions only: a slow writer's older copy loses.
    private const string CacheScript = """
        local cached = redis.call('GET', KEYS[1])
        if cached and cjson.decode(cached)['version'] >= tonumber(ARGV[2]) then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    private const string Columns = "namespace, key, value, version, tags, expires_at, updated_at";

    /// <param name="expectedVersion">Null: write whatever is there; 0: only if absent; n: only if the entry is at version n.</param>
    /// <returns>The entry written, or null when the expectation did not hold.</returns>
    public async Task<MemoryEntry?> PutAsync(Guid teamId, string ns, string key, JsonElement value, long? expectedVersion, TimeSpan? ttl,
        string[] tags, CancellationToken ct)
    {
        var sql = expectedVersion switch
        {
            null => $"""
                INSERT INTO swarm_memory AS m (team_id, namespace, key, value, version, tags, expires_at, updated_at)
                VALUES ($1, $2, $3, $4, 1, $5, $6, now())
                ON CONFLICT (team_id, namespace, key) DO UPDATE SET value = excluded.value, version = m.version + 1,
                    tags = excluded.tags, expires_at = excluded.expires_at, updated_at = now()
                RETURNING {Columns}
                """,
            0 => $"""
                INSERT INTO swarm_memory AS m (team_id, namespace, key, value, version, tags, expires_at, updated_at)
                VALUES ($1, $2, $3, $4, 1, $5, $6, now())
                ON CONFLICT (team_id, namespace, key) DO UPDATE SET value = excluded.value, version = m.version + 1,
                    tags = excluded.tags, expires_at = excluded.expires_at, updated_at = now()
                WHERE m.expires_at <= now()
                RETURNING {Columns}
                """,
            _ => $"""
                UPDATE swarm_memory SET value = $4, version = version + 1, tags = $5, expires_at = $6, updated_at = now()
                WHERE team_id = $1 AND namespace = $2 AND key = $3 AND version = $7 AND (expires_at IS NULL OR expires_at > now())
                RETURNING {Columns}
                """,
        };
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = ns });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = value.GetRawText(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = tags });
        command.Parameters.Add(new() { Value = ttl is { } lifetime ? time.GetUtcNow() + lifetime : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        if (expectedVersion is > 0)
        {
            command.Parameters.Add(new() { Value = expectedVersion.Value });
        }

        var written = await ReadOneAsync(command, ct);
        if (written is not null)
        {
            await CacheAsync(teamId, written);
        }

        return written;
    }

    public async Task<MemoryEntry?> GetAsync(Guid teamId, string ns, string key, CancellationToken ct)
    {
        var entry = await CachedAsync(teamId, ns, key);
        if (entry is null)
        {
            await using var command = db.CreateCommand($"SELECT {Columns} FROM swarm_memory WHERE team_id = $1 AND namespace = $2 AND key = $3");
            command.Parameters.Add(new() { Value = teamId });
            command.Parameters.Add(new() { Value = ns });
            command.Parameters.Add(new() { Value = key });
            entry = await ReadOneAsync(command, ct);
            if (entry is not null)
            {
                await CacheAsync(teamId, entry);
            }
        }

        return entry is { ExpiresAt: { } expires } && expires <= time.GetUtcNow() ? null : entry;
    }

    /// <summary>The live entry's version in PostgreSQL (not the cache, which may lag a write that just committed).</summary>
    public async Task<long?> StoredVersionAsync(Guid teamId, string ns, string key, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT version FROM swarm_memory
            WHERE team_id = $1 AND namespace = $2 AND key = $3 AND (expires_at IS NULL OR expires_at > now())
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = ns });
        command.Parameters.Add(new() { Value = key });
        return await command.ExecuteScalarAsync(ct) as long?;
    }

    /// <returns>False when there was no such live entry, or not at the expected version.</returns>
    public async Task<bool> DeleteAsync(Guid teamId, string ns, string key, long? expectedVersion, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            DELETE FROM swarm_memory WHERE team_id = $1 AND namespace = $2 AND key = $3 AND ($4::bigint IS NULL OR version = $4)
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = ns });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = (object?)expectedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        var deleted = await command.ExecuteNonQueryAsync(ct) == 1;
        await WithoutRedisAsync(() => redis.GetDatabase().KeyDeleteAsync(CacheKey(teamId, ns, key)));
        return deleted;
    }

    /// <summary>Live entries of a namespace whose keys start with <paramref name="prefix"/> and that carry <paramref name="tag"/>.</summary>
    public async Task<List<MemoryEntry>> ListAsync(Guid teamId, string ns, string? prefix, string? tag, int limit, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT {Columns} FROM swarm_memory
            WHERE team_id = $1 AND namespace = $2 AND starts_with(key, $3) AND ($4::text IS NULL OR $4 = ANY(tags))
              AND (expires_at IS NULL OR expires_at > now())
            ORDER BY key LIMIT $5
            """);
        command.Parameters.Add(new() { Value = teamId });
        command.Parameters.Add(new() { Value = ns });
        command.Parameters.Add(new() { Value = prefix ?? "" });
        command.Parameters.Add(new() { Value = (object?)tag ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        var entries = new List<MemoryEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(MemoryEntry.Read(reader));
        }

        return entries;
    }

    private async Task CacheAsync(Guid teamId, MemoryEntry entry)
    {
        var lifetime = entry.ExpiresAt is { } expires ? expires - time.GetUtcNow() : CacheLifetime;
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        await WithoutRedisAsync(() => redis.GetDatabase().ScriptEvaluateAsync(CacheScript, [CacheKey(teamId, entry.Namespace, entry.Key)],
            [JsonSerializer.Serialize(entry, MemoryJson.Default.MemoryEntry), entry.Version,
                (long)Math.Min(lifetime.TotalMilliseconds, CacheLifetime.TotalMilliseconds)]));
    }

    /// <summary>The cached copy; none when Redis has none or cannot be reached (PostgreSQL answers then).</summary>
    private async Task<MemoryEntry?> CachedAsync(Guid teamId, string ns, string key)
    {
        try
        {
            var cached = await redis.GetDatabase().StringGetAsync(CacheKey(teamId, ns, key));
            return cached.HasValue ? JsonSerializer.Deserialize(cached.ToString(), MemoryJson.Default.MemoryEntry) : null;
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// A cache write or drop is tried, never required: PostgreSQL has the change. A drop missed while Redis was away
    /// leaves a stale copy until it lapses (<see cref="CacheLifetime"/>) or the entry is written again.
    /// </summary>
    private static async Task WithoutRedisAsync(Func<Task> cacheChange)
    {
        try
        {
            await cacheChange();
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // PostgreSQL has the write; the cache catches up on the next write or read of the entry.
        }
    }

    private static async Task<MemoryEntry?> ReadOneAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? MemoryEntry.Read(reader) : null;
    }

    private static RedisKey CacheKey(Guid teamId, string ns, string key) => $"cognive:memory:{teamId:N}:{ns.Length}:{ns}:{key}";
}
