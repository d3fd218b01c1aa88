using Cognive.Credentials;
using Cognive.RateLimits;

namespace Cognive.SwarmQueen.Authentication;

public static class SwarmAuthentication
{
    /// <summary>The API's credentials, permissions (one policy per permission) and rate limits, as in the API.</summary>
    public static IServiceCollection AddSwarmAuthentication(this IServiceCollection services)
    {
        services.AddRateLimits<IntrospectedRateSubjects>();
        return services.AddApiIntrospection();
    }
}
