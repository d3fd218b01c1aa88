using System.Security.Claims;
using Cognive.Data.Access;
using Cognive.RateLimits;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Cognive.SwarmQueen.Authentication;

public static class SwarmAuthentication
{
    /// <summary>The API's credentials, permissions (one policy per permission) and rate limits, as in the API.</summary>
    public static IServiceCollection AddSwarmAuthentication(this IServiceCollection services)
    {
        services.AddRateLimits<SwarmRateSubjects>();
        services.AddHttpClient(IntrospectionHandler.ClientName, client => client.BaseAddress = new Uri("https+http://api"));
        services.AddAuthentication(IntrospectionHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, IntrospectionHandler>(IntrospectionHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        foreach (var permission in Permissions.All)
        {
            authorization.AddPolicy(permission, policy => policy.RequireClaim(IntrospectionHandler.PermissionClaim, permission));
        }

        return services;
    }

    public static Guid TeamIdOf(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(IntrospectionHandler.TeamIdClaim)!);

    public static string ActorOf(ClaimsPrincipal user) => user.FindFirstValue(IntrospectionHandler.ActorClaim)!;
}
