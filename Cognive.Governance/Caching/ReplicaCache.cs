using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Cognive.Governance.Caching;

/// <summary>
/// Values kept in this replica's memory for a short lifetime, for reads on every request that must not cost a round
/// trip. A change drops the entry here at once and on the other replicas through Redis pub/sub; a lost notice (Redis
/// away) is bounded by the lifetime. Nothing is kept for a key that has no value, so a new one is seen at once.
/// Here because team rules are held this way in the API and the gateway alike; the API keeps its API keys in one too.
/// </summary>
public sealed class ReplicaCache<TValue> where TValue : class
{
    /// <summary>Past this many entries the cache starts over: it holds hot keys, and its keys come from callers.</summary>
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, (TValue Value, DateTimeOffset LoadedAt)> _entries = new();

    /// <summary>Changes seen per key: a load that began before a change must not put back what it read.</summary>
    private readonly ConcurrentDictionary<string, long> _generations = new();

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisChannel _changes;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public ReplicaCache(IConnectionMultiplexer redis, string channel, TimeSpan lifetime, TimeProvider time,
        ILogger logger)
    {
        (_redis, _changes, _lifetime, _time) = (redis, RedisChannel.Literal(channel), lifetime, time);
        try
        {
            // The client subscribes again by itself after a reconnect.
            redis.GetSubscriber().Subscribe(_changes, (_, key) => Forget(key.ToString()), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisFaults.IsUnavailable(e))
        {
            logger.LogWarning("No change notices on {Channel} until Redis answers; entries lapse after {Lifetime}", channel, lifetime);
        }
    }

    public async ValueTask<TValue?> GetAsync(string key, Func<Task<TValue?>> load)
    {
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && now - entry.LoadedAt < _lifetime)
        {
            return entry.Value;
        }

        var generation = _generations.GetValueOrDefault(key);
        var loaded = await load();
        if (loaded is null || _generations.GetValueOrDefault(key) != generation)
        {
            _entries.TryRemove(key, out _);
            return loaded;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
            _generations.Clear();
        }

        _entries[key] = (loaded, now);
        return loaded;
    }

    /// <summary>After the source changed (committed): every replica reloads the key on its next read.</summary>
    public async Task ChangedAsync(string key)
    {
        Forget(key);
        try
        {
            await _redis.GetSubscriber().PublishAsync(_changes, key);
        }
        catch (Exception e) when (RedisFaults.IsUnavailable(e))
        {
            // The other replicas' entries lapse within the lifetime.
        }
    }

    private void Forget(string key)
    {
        _generations.AddOrUpdate(key, 1, (_, generation) => generation + 1);
        _entries.TryRemove(key, out _);
    }
}
