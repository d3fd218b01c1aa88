using StackExchange.Redis;

namespace Cognive.Governance.Caching;

public static class RedisFaults
{
    /// <summary>Redis could not be reached or did not answer in time (as opposed to a fault in what was asked).</summary>
    public static bool IsUnavailable(Exception e) => e is RedisException or RedisTimeoutException;
}
