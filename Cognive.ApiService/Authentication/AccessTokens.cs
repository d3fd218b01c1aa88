using System.Globalization;
using System.Security.Claims;
using Cognive.ApiService.Caching;
using Cognive.Data.Access;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// Short-lived JWT access tokens for people. A token names the user, team and role; the role's permissions are
/// added when the token is checked, so they follow the code rather than the token. Logging out revokes the token's
/// id until it would have expired anyway; ending a person's sessions (disabled, deleted, role or password changed)
/// refuses every token of theirs issued before that moment, checked in the same Redis round trip.
/// </summary>
public sealed class AccessTokens(JwtSettings settings, IConnectionMultiplexer redis, TimeProvider time, ILogger<AccessTokens> logger)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, int ExpiresInSeconds) Issue(Guid userId, string email, Guid teamId, string role, bool installationAdmin)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtSettings.Issuer,
            Audience = JwtSettings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + JwtSettings.AccessTokenLifetime,
            SigningCredentials = new SigningCredentials(settings.SigningKey, JwtSettings.Algorithm),
            Claims = new Dictionary<string, object>
            {
                [CogniveClaims.UserId] = userId.ToString(),
                [CogniveClaims.Email] = email,
                [CogniveClaims.TeamId] = teamId.ToString(),
                [CogniveClaims.Role] = role,
                [CogniveClaims.TokenId] = Guid.NewGuid().ToString("N"),
                [CogniveClaims.InstallationAdmin] = installationAdmin ? "true" : "false",
                // iat counts seconds; a session ended and a new login within one second must still be told apart.
                [CogniveClaims.IssuedAtMs] = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            },
        });
        return (token, (int)JwtSettings.AccessTokenLifetime.TotalSeconds);
    }

    /// <summary>Checks a validated token against revocations and gives the caller its role's permissions.</summary>
    public async Task<string?> AcceptAsync(ClaimsPrincipal principal)
    {
        if (principal.FindFirstValue(CogniveClaims.TokenId) is not { } tokenId || principal.FindFirstValue(CogniveClaims.TeamId) is null)
        {
            return "The token lacks the claims Cognive issues.";
        }

        try
        {
            var stamps = await redis.GetDatabase().StringGetAsync(
                [RevokedKey(tokenId), SessionsEndedKey(principal.FindFirstValue(CogniveClaims.UserId) ?? "")]);
            if (stamps[0].HasValue)
            {
                return "The token was revoked.";
            }

            if (stamps[1].HasValue && IssuedAtMs(principal) < (long)stamps[1])
            {
                return "The person's sessions were ended; log in again.";
            }
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            // A logged-out token must not come back to life while Redis is away: fail closed (API keys still work).
            return "The token's revocation cannot be checked now.";
        }

        var identity = (ClaimsIdentity)principal.Identity!;
        if (identity.FindFirst(CogniveClaims.InstallationAdmin) is { Value: not "true" } notAdmin)
        {
            identity.RemoveClaim(notAdmin);
        }

        foreach (var permission in Roles.PermissionsOf(principal.FindFirstValue(CogniveClaims.Role) ?? ""))
        {
            identity.AddClaim(new Claim(CogniveClaims.Permission, permission));
        }

        return null;
    }

    public async Task RevokeAsync(ClaimsPrincipal principal)
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(principal.FindFirstValue("exp")!));
        var remaining = expires - time.GetUtcNow() + JwtSettings.ClockSkew;
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(RevokedKey(principal.FindFirstValue(CogniveClaims.TokenId)!), 1, remaining);
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            // Without Redis every bearer token is refused anyway (see AcceptAsync); the login's refresh tokens are revoked.
        }
    }

    /// <summary>
    /// Refuses every access token of the person issued until now. Kept for an access token's lifetime: older tokens have
    /// expired by then. Without Redis bearer tokens are refused anyway (see <see cref="AcceptAsync"/>).
    /// </summary>
    public async Task EndSessionsAsync(Guid userId)
    {
        try
        {
            await redis.GetDatabase().StringSetAsync(SessionsEndedKey(userId.ToString()), time.GetUtcNow().ToUnixTimeMilliseconds(),
                JwtSettings.AccessTokenLifetime + JwtSettings.ClockSkew);
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e))
        {
            logger.LogWarning("Sessions of {UserId} not ended in Redis, it did not answer: {Reason}", userId, e.Message);
        }
    }

    private static long IssuedAtMs(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(CogniveClaims.IssuedAtMs), CultureInfo.InvariantCulture, out var ms) ? ms
        : long.Parse(principal.FindFirstValue("iat") ?? "0", CultureInfo.InvariantCulture) * 1000;

    private static RedisKey SessionsEndedKey(string userId) => $"cognive:sessions-ended:{userId}";

    private static RedisKey RevokedKey(string tokenId) => $"cognive:revoked-token:{tokenId}";
}
