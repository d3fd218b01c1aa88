using System.Net;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Cognive.Credentials;

public static class CredentialsExtensions
{
    /// <summary>The API's credentials and permissions (one policy per permission), verified by the API (resource <c>api</c>).</summary>
    public static IServiceCollection AddApiIntrospection(this IServiceCollection services)
    {
        // A 429 from /auth/me is one caller past its rate, not a sick API: retrying it only waits, and counting it toward the
        // circuit breaker would let one tenant's flood open the circuit, and stop authentication, for every team.
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to replace the defaults' handler for one client.
        services.AddHttpClient(IntrospectionHandler.ClientName, client => client.BaseAddress = new Uri("https+http://api"))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.Retry.ShouldHandle = args => ValueTask.FromResult(IsApiFailure(args.Outcome));
                resilience.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsApiFailure(args.Outcome));
            });
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

    private static bool IsApiFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
}
