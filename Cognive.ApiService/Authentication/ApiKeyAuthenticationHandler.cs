using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Cognive.Data;
using Cognive.Data.ApiKeys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// Authenticates <c>X-API-Key</c>: finds the key by its prefix, compares the secret's hash in constant time, and
/// rejects revoked and expired keys. The caller becomes its team (<see cref="CogniveClaims"/>) with the key's scopes.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CogniveDbContext db, ApiKeyDirectory keys, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = AuthProblems.ApiKeyHeader;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeyToken.TryParse(header.ToString(), out var token))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        var key = await keys.FindAsync(db, token.Prefix, Context.RequestAborted);
        if (key is null || !token.Matches(key.SecretHash) || key.Revoked || key.ExpiresAt <= time.GetUtcNow())
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }

        await keys.RecordUseAsync(db, key, Context.RequestAborted);
        var identity = new ClaimsIdentity(
        [
            new Claim(CogniveClaims.TeamId, key.TeamId.ToString()),
            new Claim(CogniveClaims.KeyPrefix, token.Prefix),
            .. key.IsAdmin ? [new Claim(CogniveClaims.InstallationAdmin, "true")] : Array.Empty<Claim>(),
            .. key.ExpiresAt is { } expires ? [new Claim(CogniveClaims.KeyExpiresAt, expires.ToString("O", CultureInfo.InvariantCulture))] : Array.Empty<Claim>(),
            .. key.RateLimitPerMinute is { } rate ? [new Claim(CogniveClaims.RateLimit, rate.ToString(CultureInfo.InvariantCulture))] : Array.Empty<Claim>(),
            .. key.Scopes.Select(scope => new Claim(CogniveClaims.Permission, scope)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AuthProblems.UnauthenticatedAsync(Context, $"Send a valid, unrevoked API key in the {HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.ForbiddenAsync(Context);
}
