using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cognive.Governance.Caching;
using StackExchange.Redis;

namespace Cognive.ApiService.Caching;

/// <summary>
/// Read-through caching in Redis: a hit is answered from Redis; a miss loads from PostgreSQL, the source of truth, and
/// caches what it found for <c>lifetime</c> (nothing when it found nothing, so a later insert is seen at once).
/// Without Redis every read goes to PostgreSQL: slower, but a cache outage is not an API outage.
/// </summary>
public static class RedisReadThrough
{
    public static async Task<T?> GetAsync<T>(IDatabase cache, RedisKey key, JsonTypeInfo<T> json, TimeSpan lifetime,
        Func<Task<T?>> load) where T : class
    {
        try
        {
            var cached = await cache.StringGetAsync(key);
            if (cached.HasValue && Read(cached.ToString(), json) is { } hit)
            {
                return hit;
            }
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return await load();
        }

        var loaded = await load();
        if (loaded is not null)
        {
            await SetAsync(cache, key, json, lifetime, loaded);
        }

        return loaded;
    }

    public static bool IsUnavailable(Exception e) => RedisFaults.IsUnavailable(e);

    public static async Task SetAsync<T>(IDatabase cache, RedisKey key, JsonTypeInfo<T> json, TimeSpan lifetime, T value)
    {
        try
        {
            await cache.StringSetAsync(key, JsonSerializer.Serialize(value, json), lifetime);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            // Read from PostgreSQL next time too.
        }
    }

    /// <summary>An entry another version wrote in another shape is a miss, not an error: it is loaded and overwritten.</summary>
    private static T? Read<T>(string text, JsonTypeInfo<T> json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(text, json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
