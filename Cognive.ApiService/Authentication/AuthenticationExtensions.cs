using Cognive.ApiService.RateLimits;
using Cognive.ApiService.Users;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace Cognive.ApiService.Authentication;

public static class AuthenticationExtensions
{
    private const string SelectorScheme = "Cognive";

    /// <summary>
    /// Agents authenticate with API keys (<c>X-API-Key</c>), people with bearer JWTs; one policy per permission, and
    /// the installation-admin policy for teams and prices.
    /// </summary>
    public static IServiceCollection AddCogniveAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ApiKeyDirectory>();
        services.AddSingleton<JwtSettings>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<LoginSelectors>();
        services.AddSingleton<AccountLocks>();
        services.AddOptions<SignInSettings>().BindConfiguration(SignInSettings.Section).ValidateDataAnnotations()
            .Validate(settings => settings.IsValid(), "Cognive:SignIn: locks and lifetimes are positive, MaxLock >= FirstLock, "
                + "SessionLifetime at least an access token's lifetime.")
            .ValidateOnStart();
        services.AddTrustedProxies(configuration);
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or bearer token", scheme => scheme.ForwardDefaultSelector = http =>
                http.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwtSettings>((bearer, settings) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = settings.ValidationParameters;
                bearer.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async context =>
                    {
                        var tokens = context.HttpContext.RequestServices.GetRequiredService<AccessTokens>();
                        if (await tokens.AcceptAsync(context.Principal!) is { } failure)
                        {
                            context.Fail(failure);
                        }
                    },
                    OnChallenge = context =>
                    {
                        context.HandleResponse();
                        return AuthProblems.UnauthenticatedAsync(context.HttpContext,
                            $"Send a valid bearer token (POST /api/v1/auth/login) or an API key in the {ApiKeyAuthenticationHandler.HeaderName} header.");
                    },
                    OnForbidden = context => AuthProblems.ForbiddenAsync(context.HttpContext),
                };
            });

        var authorization = services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(CogniveClaims.InstallationAdminPolicy, policy => policy
                .RequireClaim(CogniveClaims.InstallationAdmin, "true")
                .RequireClaim(CogniveClaims.Permission, Permissions.Admin));
        foreach (var permission in Permissions.All)
        {
            authorization.AddPolicy(permission, policy => policy.RequireClaim(CogniveClaims.Permission, permission));
        }

        return services;
    }

    /// <summary>The endpoint needs <paramref name="permission"/> (one of <see cref="Permissions"/>); 403 otherwise.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder endpoint, string permission)
        where TBuilder : IEndpointConventionBuilder => endpoint.RequireAuthorization(permission);
}
