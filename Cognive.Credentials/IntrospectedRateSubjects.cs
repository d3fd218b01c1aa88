using System.Globalization;
using Cognive.RateLimits;
using Microsoft.AspNetCore.Http;

namespace Cognive.Credentials;

/// <summary>
/// Services that learn their callers from the API (<see cref="IntrospectionHandler"/>: the queen, the gateway) count each
/// caller in the API's window (<c>key:&lt;prefix&gt;</c> or <c>user:&lt;id&gt;</c>, at the rate the API's <c>/auth/me</c> gave):
/// a key's requests per minute hold for the API and these services together.
/// </summary>
public sealed class IntrospectedRateSubjects : IRateSubjects
{
    public RateSubject? Of(HttpContext context) =>
        context.User.FindFirst(IntrospectionHandler.ActorClaim)?.Value is { } actor &&
        int.TryParse(context.User.FindFirst(IntrospectionHandler.RateLimitClaim)?.Value, CultureInfo.InvariantCulture, out var limit)
            ? new RateSubject(actor, limit)
            : null;
}
