using System.Text.Json;
using Cognive.SwarmQueen.Quotas;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using StackExchange.Redis;

namespace Cognive.SwarmQueen.Memory;

/// <summary>
/// Shared swarm memory. Writes go to PostgreSQL first — the compare-and-set is one conditional statement there, so of
/// concurrent writers expecting the same version exactly one wins — then to Redis, which serves reads. Redis holds a
/// copy only: an entry it lost (restart, eviction) is read from PostgreSQL and cached again. Every write and delete also
/// returns how much it changed the team's stored bytes (the JSON text of the values), which keeps the team's
/// <see cref="Quota.MemoryBytes"/> counter without a scan. A write made alone commits with the others in flight
/// (<see cref="WriteGroups"/>).
/// </summary>
public sealed class MemoryStore(NpgsqlDataSource db, IConnectionMultiplexer redis, TimeProvider time, UsageCounters usage,
    IOptions<SwarmQuotaOptions> quotas) : IAsyncDisposable
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Between recounts the counter follows every write and sweep; the recount corrects what a race let it miss.</summary>
    private static readonly TimeSpan UsageLifetime = TimeSpan.FromMinutes(10);

    private readonly WriteGroups _groups = new((writes, ct) => CommitAsync(db, time, writes, ct));

    // KEYS: the entry. ARGV: its JSON, its version, lifetime ms. Newer versions only: a slow writer's older copy loses.
    private const string CacheScript = """
        local cached = redis.call('GET', KEYS[1])
        if cached and cjson.decode(cached)['version'] >= tonumber(ARGV[2]) then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """;

    private const string Columns = "namespace, key, value, version, tags, expires_at, updated_at";

    /// <summary>What an entry counts against the quota: its value's JSON text, as PostgreSQL stores and returns it.</summary>
    private const string StoredBytes = "octet_length(value::text)::bigint";

    // Writes and deletes return their entry's columns, then how they changed the team's stored bytes.
    private const int SizeChangeColumn = 7;
    private const string OldBytes = $"SELECT {StoredBytes} AS size FROM swarm_memory WHERE team_id = $1 AND namespace = $2 AND key = $3";

    /// <param name="expectedVersion">Null: write whatever is there; 0: only if absent; n: only if the entry is at version n.</param>
    /// <returns>The entry written, or null when the expectation did not hold.</returns>
    public async Task<MemoryEntry?> PutAsync(Guid teamId, string ns, string key, JsonElement value, long? expectedVersion, TimeSpan? ttl,
        string[] tags, CancellationToken ct) =>
        (await ApplyAsync(teamId, [new MemoryWrite(ns, key, value, expectedVersion, ttl, tags)], ct))[0].Entry;

    /// <summary>
    /// Many operations in one round trip to each server: the writes (puts and deletes, each with its own compare-and-set)
    /// in order, in one PostgreSQL batch that commits as a whole (a lone write, with other requests'); then the reads,
    /// which see those writes, from Redis, and what Redis lacks from PostgreSQL in one query.
    /// </summary>
    public async Task<MemoryOutcome[]> ApplyAsync(Guid teamId, IReadOnlyList<MemoryOperation> operations, CancellationToken ct)
    {
        var outcomes = new MemoryOutcome[operations.Count];
        var writes = Enumerable.Range(0, operations.Count).Where(i => operations[i] is not MemoryRead).ToList();
        if (writes.Count > 0)
        {
            // A lone write joins other requests' in a group commit; a batch's writes commit together, by themselves.
            var results = writes.Count == 1
                ? [await _groups.WriteAsync(teamId, operations[writes[0]])]
                : await CommitAsync(db, time, writes.Select(i => (teamId, operations[i])).ToList(), ct);
            foreach (var (i, result) in writes.Zip(results))
            {
                outcomes[i] = operations[i] is MemoryWrite
                    ? new MemoryOutcome(result.Entry is null ? 409 : 200, result.Entry)
                    : new MemoryOutcome(result.Entry is null ? 404 : 204, null);
            }

            await usage.AddAsync(UsageKey(teamId), results.Sum(r => r.SizeChange));
        }

        // A delete drops the cached copy whatever it found: a copy left over from a drop missed earlier goes too.
        await Task.WhenAll(writes.Select(i => (operations[i], outcomes[i]) switch
        {
            (MemoryDelete delete, _) => WithoutRedisAsync(() => redis.GetDatabase().KeyDeleteAsync(CacheKey(teamId, delete.Namespace, delete.Key))),
            (_, { Entry: { } written }) => CacheAsync(teamId, written),
            _ => Task.CompletedTask,
        }));
        var reads = Enumerable.Range(0, operations.Count).Where(i => operations[i] is MemoryRead).ToList();
        var found = await GetManyAsync(teamId, reads.Select(i => (operations[i].Namespace, operations[i].Key)).ToList(), ct);
        foreach (var (i, entry) in reads.Zip(found))
        {
            outcomes[i] = new MemoryOutcome(entry is null ? 404 : 200, entry);
        }

        return outcomes;
    }

    /// <summary>Writes and deletes, of any teams, in order, in one PostgreSQL batch that commits as a whole.</summary>
    private static async Task<WriteResult[]> CommitAsync(NpgsqlDataSource db, TimeProvider time,
        IReadOnlyList<(Guid TeamId, MemoryOperation Write)> writes, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        foreach (var (teamId, write) in writes)
        {
            var (sql, parameters) = write switch
            {
                MemoryWrite put => PutStatement(time, teamId, put),
                var delete => DeleteStatement(teamId, (MemoryDelete)delete),
            };
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddRange(parameters);
            batch.BatchCommands.Add(command);
        }

        var results = new WriteResult[writes.Count];
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            for (var i = 0; i < writes.Count; i++)
            {
                results[i] = await reader.ReadAsync(ct)
                    ? new WriteResult(MemoryEntry.Read(reader), reader.GetInt64(SizeChangeColumn))
                    : new WriteResult(null, 0);
                await reader.NextResultAsync(ct);
            }
        }

        return results;
    }

    /// <summary>
    /// Whether <paramref name="bytes"/> more fit in the team's quota. Checked before a write, against the whole value
    /// written (an overwrite frees the old value only once it is done): near its quota a team deletes to make room.
    /// </summary>
    public async Task<(bool Fits, long Used, long Limit)> RoomForAsync(Guid teamId, long bytes, CancellationToken ct)
    {
        var limit = quotas.Value.MemoryBytes;
        var (fits, used) = await usage.TryUseAsync(UsageKey(teamId), bytes, limit, reserve: false, UsageLifetime, async () =>
        {
            await using var command = db.CreateCommand($"SELECT coalesce(sum({StoredBytes}), 0)::bigint FROM swarm_memory WHERE team_id = $1");
            command.Parameters.Add(new() { Value = teamId });
            return (long)(await command.ExecuteScalarAsync(ct))!;
        });
        return (fits, used, limit);
    }

    /// <summary>
    /// Deletes entries that expired (they are never read again, but they are stored, and counted, until then), at most
    /// <paramref name="max"/> at a time, and gives their bytes back to their teams' quotas.
    /// </summary>
    public async Task<int> SweepExpiredAsync(int max, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            WITH expired AS (
                DELETE FROM swarm_memory WHERE (team_id, namespace, key) IN (
                    SELECT team_id, namespace, key FROM swarm_memory WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)
                RETURNING team_id, {StoredBytes} AS size
            )
            SELECT team_id, count(*), sum(size)::bigint FROM expired GROUP BY team_id
            """);
        command.Parameters.Add(new() { Value = max });
        var freed = new List<(Guid TeamId, long Count, long Bytes)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                freed.Add((reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        await Task.WhenAll(freed.Select(team => usage.AddAsync(UsageKey(team.TeamId), -team.Bytes)));
        return (int)freed.Sum(team => team.Count);
    }

    public async Task<MemoryEntry?> GetAsync(Guid teamId, string ns, string key, CancellationToken ct) =>
        (await GetManyAsync(teamId, [(ns, key)], ct))[0];

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
    public async Task<bool> DeleteAsync(Guid teamId, string ns, string key, long? expectedVersion, CancellationToken ct) =>
        (await ApplyAsync(teamId, [new MemoryDelete(ns, key, expectedVersion)], ct))[0].Status == 204;

    /// <summary>Entries by key (null for each absent or expired one): Redis first, what it lacks from PostgreSQL in one query.</summary>
    private async Task<MemoryEntry?[]> GetManyAsync(Guid teamId, List<(string Namespace, string Key)> keys, CancellationToken ct)
    {
        var entries = new MemoryEntry?[keys.Count];
        if (keys.Count == 0)
        {
            return entries;
        }

        try
        {
            var cached = await redis.GetDatabase().StringGetAsync(keys.Select(k => CacheKey(teamId, k.Namespace, k.Key)).ToArray());
            for (var i = 0; i < keys.Count; i++)
            {
                entries[i] = cached[i].HasValue ? JsonSerializer.Deserialize(cached[i].ToString(), MemoryJson.Default.MemoryEntry) : null;
            }
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // PostgreSQL answers all of them.
        }

        var missing = Enumerable.Range(0, keys.Count).Where(i => entries[i] is null).ToList();
        if (missing.Count > 0)
        {
            await using var command = db.CreateCommand($"""
                SELECT {Columns} FROM swarm_memory m JOIN unnest($2::text[], $3::text[]) AS wanted (namespace, key) USING (namespace, key)
                WHERE m.team_id = $1
                """);
            command.Parameters.Add(new() { Value = teamId });
            command.Parameters.Add(new() { Value = missing.Select(i => keys[i].Namespace).ToArray() });
            command.Parameters.Add(new() { Value = missing.Select(i => keys[i].Key).ToArray() });
            var stored = new Dictionary<(string, string), MemoryEntry>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var entry = MemoryEntry.Read(reader);
                    stored[(entry.Namespace, entry.Key)] = entry;
                }
            }

            foreach (var i in missing)
            {
                entries[i] = stored.GetValueOrDefault(keys[i]);
            }

            await Task.WhenAll(stored.Values.Select(entry => CacheAsync(teamId, entry)));
        }

        var now = time.GetUtcNow();
        return entries.Select(entry => entry is { ExpiresAt: { } expires } && expires <= now ? null : entry).ToArray();
    }

    private static (string Sql, NpgsqlParameter[] Parameters) PutStatement(TimeProvider time, Guid teamId, MemoryWrite write)
    {
        var sql = write.ExpectedVersion is null or 0
            ? $"""
                WITH old AS ({OldBytes})
                INSERT INTO swarm_memory AS m (team_id, namespace, key, value, version, tags, expires_at, updated_at)
                VALUES ($1, $2, $3, $4, 1, $5, $6, now())
                ON CONFLICT (team_id, namespace, key) DO UPDATE SET value = excluded.value, version = m.version + 1,
                    tags = excluded.tags, expires_at = excluded.expires_at, updated_at = now()
                {(write.ExpectedVersion == 0 ? "WHERE m.expires_at <= now()" : "")}
                RETURNING {Columns}, {StoredBytes} - coalesce((SELECT size FROM old), 0)
                """
            : $"""
                WITH old AS ({OldBytes})
                UPDATE swarm_memory SET value = $4, version = version + 1, tags = $5, expires_at = $6, updated_at = now()
                WHERE team_id = $1 AND namespace = $2 AND key = $3 AND version = $7 AND (expires_at IS NULL OR expires_at > now())
                RETURNING {Columns}, {StoredBytes} - coalesce((SELECT size FROM old), 0)
                """;
        NpgsqlParameter[] parameters =
        [
            new() { Value = teamId }, new() { Value = write.Namespace }, new() { Value = write.Key },
            new() { Value = write.Value.GetRawText(), NpgsqlDbType = NpgsqlDbType.Jsonb }, new() { Value = write.Tags },
            new() { Value = write.Ttl is { } lifetime ? time.GetUtcNow() + lifetime : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        ];
        return write.ExpectedVersion is > 0 ? (sql, [.. parameters, new() { Value = write.ExpectedVersion.Value }]) : (sql, parameters);
    }

    private static (string Sql, NpgsqlParameter[] Parameters) DeleteStatement(Guid teamId, MemoryDelete delete) => ($"""
        DELETE FROM swarm_memory WHERE team_id = $1 AND namespace = $2 AND key = $3 AND ($4::bigint IS NULL OR version = $4)
        RETURNING {Columns}, -{StoredBytes}
        """,
        [
            new() { Value = teamId }, new() { Value = delete.Namespace }, new() { Value = delete.Key },
            new() { Value = (object?)delete.ExpectedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
        ]);

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

    public ValueTask DisposeAsync() => _groups.DisposeAsync();

    private static RedisKey UsageKey(Guid teamId) => $"cognive:quota:memory:{teamId:N}";

    private static RedisKey CacheKey(Guid teamId, string ns, string key) => $"cognive:memory:{teamId:N}:{ns.Length}:{ns}:{key}";
}
