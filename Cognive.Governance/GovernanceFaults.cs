using Cognive.Governance.Caching;
using Npgsql;

namespace Cognive.Governance;

/// <summary>When budget state cannot be read, checks refuse: budgets fail closed, in the API and the gateway alike.</summary>
public static class GovernanceFaults
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public const string UnavailableDetail =
        "Budget state cannot be read (Redis is unreachable); spending is refused until it can. Retry after 5 seconds.";

    /// <summary>Redis or PostgreSQL could not be reached: a check that threw this refuses with 503.</summary>
    public static bool IsUnavailable(Exception e) => RedisFaults.IsUnavailable(e) || e is NpgsqlException;
}
