using System.Security.Claims;

namespace Cognive.ApiService.Authentication;

/// <summary>The caller, as the endpoints see it: every lookup is scoped to <see cref="TeamIdOf"/>.</summary>
public static class CogniveClaims
{
    public const string TeamId = "cognive:team_id";
    public const string KeyPrefix = "cognive:key_prefix";
    public const string Admin = "cognive:admin";
    public const string RateLimit = "cognive:rate_limit_per_minute";
    public const string AdminPolicy = "admin";

    public static Guid TeamIdOf(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(TeamId)!);
}
