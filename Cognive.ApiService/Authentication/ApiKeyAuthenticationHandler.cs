using System.Security.Claims;
using System.Text.Encodings.Web;
using Cognive.Data;
using Cognive.Data.ApiKeys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// Authenticates <c>X-API-Key</c>: finds the key by its prefix, compares the secret's hash in constant time, and
/// rejects revoked keys. The caller becomes its team (<see cref="CogniveClaims"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CogniveDbContext db, TimeProvider time, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";

    /// <summary>Recording every use would write on every request; a minute's precision is enough for "last used".</summary>
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

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

        var key = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == token.Prefix)
            .Join(db.Teams, k => k.TeamId, t => t.Id, (k, t) => new { Key = k, t.IsAdmin })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (key is null || !token.Matches(key.Key.SecretHash) || key.Key.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }

        var now = time.GetUtcNow();
        if (key.Key.LastUsedAt is null || now - key.Key.LastUsedAt > LastUsedPrecision)
        {
            await db.ApiKeys.Where(k => k.Id == key.Key.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(CogniveClaims.TeamId, key.Key.TeamId.ToString()),
            new Claim(CogniveClaims.KeyPrefix, key.Key.Prefix),
            .. key.IsAdmin ? [new Claim(CogniveClaims.Admin, "true")] : Array.Empty<Claim>(),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized, "https://cognive.dev/problems/unauthenticated",
            "Authentication required", $"Send a valid, unrevoked API key in the {HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "https://cognive.dev/problems/forbidden",
            "Forbidden", "This API key may not do that.");

    private async Task WriteProblemAsync(int status, string type, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
