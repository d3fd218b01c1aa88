using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Cognive.ApiService.Authentication;

public static class AuthenticationExtensions
{
    /// <summary>API keys for every /api/v1 call; the admin policy for installation-wide operations.</summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyDirectory>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(CogniveClaims.AdminPolicy, policy => policy.RequireClaim(CogniveClaims.Admin, "true"));
        return services;
    }
}
