using System.Globalization;
using Cognive.Credentials;
using Cognive.RateLimits;

namespace Cognive.SwarmQueen.Authentication;

/// <summary>
/// The queen counts each caller in the API's window (<c>key:&lt;prefix&gt;</c> or <c>user:&lt;id&gt;</c>, at the rate the
/// API's <c>/auth/me</c> gave): a key's requests per minute hold for the API and the queen together.
/// </summary>
internal sealed class SwarmRateSubjects : IRateSubjects
{
    public RateSubject? Of(HttpContext context) =>
        context.User.FindFirst(IntrospectionHandler.ActorClaim)?.Value is { } actor &&
        int.TryParse(context.User.FindFirst(IntrospectionHandler.RateLimitClaim)?.Value, CultureInfo.InvariantCulture, out var limit)
            ? new RateSubject(actor, limit)
            : null;
}
