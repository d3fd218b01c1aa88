using System.Security.Claims;

namespace Cognive.Credentials;

/// <summary>The caller as <see cref="IntrospectionHandler"/> describes it: every lookup is scoped to <see cref="TeamIdOf"/>.</summary>
public static class Callers
{
    public static Guid TeamIdOf(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(IntrospectionHandler.TeamIdClaim)!);

    /// <summary>Who is calling, as the audit trail names them: <c>key:&lt;prefix&gt;</c> or <c>user:&lt;id&gt;</c>.</summary>
    public static string ActorOf(ClaimsPrincipal user) => user.FindFirstValue(IntrospectionHandler.ActorClaim)!;
}
