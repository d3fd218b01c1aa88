using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cognive.Data.ApiKeys;
using Cognive.RateLimits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Cognive.Credentials;

/// <summary>
/// The queen accepts what the API accepts (API keys and people's bearer tokens) by asking the API who the credential
/// is (<c>GET /api/v1/auth/me</c>) and remembering the answer for a few seconds, so there is one implementation of
/// keys, tokens, revocation and scopes. A revoked credential stops working here within <see cref="Lifetime"/>.
/// An API key may also come as <c>Authorization: Bearer cgv_…</c> (how OpenAI SDKs send theirs); it is asked about as the
/// <c>X-API-Key</c> it is.
/// </summary>
public sealed class IntrospectionHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, IHttpClientFactory clients, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Cognive";
    public const string ClientName = "cognive-api";
    public const string TeamIdClaim = "cognive:team_id";
    public const string PermissionClaim = "cognive:permission";

    /// <summary>Who is calling, as the audit trail names them: <c>key:&lt;prefix&gt;</c> or <c>user:&lt;id&gt;</c>.</summary>
    public const string ActorClaim = "cognive:actor";

    /// <summary>The caller's requests per minute, as the API counts them.</summary>
    public const string RateLimitClaim = "cognive:rate_limit_per_minute";
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    private const int MaxEntries = 10_000;
    private const string Unverifiable = "cognive:credential-unverifiable";
    private const string PastItsRate = "cognive:credential-past-its-rate";

    private static readonly ConcurrentDictionary<string, (Caller? Caller, DateTimeOffset At)> Known = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (header, value) = CredentialOf(Request);
        if (string.IsNullOrEmpty(value))
        {
            return AuthenticateResult.NoResult();
        }

        // Keyed by a hash: the cache never holds a credential.
        var cacheKey = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{header}\n{value}")));
        var now = time.GetUtcNow();
        if (!Known.TryGetValue(cacheKey, out var known) || now - known.At >= Lifetime)
        {
            try
            {
                known = (await AskAsync(header, value), now);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException)
            {
                Context.Items[Unverifiable] = true;
                return AuthenticateResult.Fail($"The API could not verify the credential: {e.Message}");
            }
            catch (PastItsRateException e)
            {
                Context.Items[PastItsRate] = e.Decision;
                return AuthenticateResult.Fail("The API did not say who the caller is: the caller is past its rate.");
            }

            if (Known.Count >= MaxEntries)
            {
                Known.Clear();
            }

            Known[cacheKey] = known;
        }

        if (known.Caller is not { } caller)
        {
            return AuthenticateResult.Fail("The credential is unknown, revoked or expired.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(TeamIdClaim, caller.TeamId.ToString()),
                new Claim(ActorClaim, caller.KeyPrefix is { } prefix ? $"key:{prefix}" : $"user:{caller.UserId}"),
                new Claim(RateLimitClaim, caller.RateLimitPerMinute.ToString(CultureInfo.InvariantCulture)),
                .. caller.Permissions.Select(p => new Claim(PermissionClaim, p)),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>401 for a credential the API refused; 503 when the API could not be asked (the credential may be good).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[PastItsRate] is RateDecision refused)
        {
            await RateLimitMiddleware.AnswerAsync(Context, Context.RequestServices.GetRequiredService<IProblemDetailsService>(), refused);
            return;
        }

        if (!Context.Items.ContainsKey(Unverifiable))
        {
            await AuthProblems.UnauthenticatedAsync(Context, $"Send a Cognive API key in {AuthProblems.ApiKeyHeader} or a bearer token.");
            return;
        }

        Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        Response.Headers.RetryAfter = "5";
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable, Type = "https://cognive.dev/problems/authentication-unavailable",
                Title = "Authentication unavailable", Detail = "The API, which verifies credentials, did not answer. Retry after 5 seconds.",
            },
        });
    }

    /// <summary>The header to ask the API with, and its value: an API key sent as a bearer token is the key.</summary>
    public static (string Header, string Value) CredentialOf(HttpRequest request)
    {
        if (request.Headers.TryGetValue(AuthProblems.ApiKeyHeader, out var key))
        {
            return (AuthProblems.ApiKeyHeader, key.ToString());
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerKeyPrefix, StringComparison.Ordinal)
            ? (AuthProblems.ApiKeyHeader, authorization["Bearer ".Length..])
            : ("Authorization", authorization);
    }

    private const string BearerKeyPrefix = "Bearer " + ApiKeyToken.Scheme;

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.ForbiddenAsync(Context);

    private async Task<Caller?> AskAsync(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, Context.RequestAborted);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return null;
        }

        if (response.StatusCode is HttpStatusCode.TooManyRequests)
        {
            // The caller spent its window (shared with the API) before the queen knew it: the same 429 as the API's.
            throw new PastItsRateException(new RateDecision(false,
                response.Headers.TryGetValues("RateLimit-Limit", out var limit) && int.TryParse(limit.First(), CultureInfo.InvariantCulture, out var rate) ? rate : 0,
                0, (int)(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 60)));
        }

        response.EnsureSuccessStatusCode();
        using var me = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(Context.RequestAborted));
        var caller = me.RootElement;
        return new Caller(caller.GetProperty("team_id").GetGuid(),
            caller.TryGetProperty("user_id", out var user) && user.ValueKind == JsonValueKind.String ? user.GetGuid() : null,
            caller.TryGetProperty("key_prefix", out var prefix) && prefix.ValueKind == JsonValueKind.String ? prefix.GetString() : null,
            caller.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToArray(),
            caller.GetProperty("rate_limit_per_minute").GetInt32());
    }

    private sealed class PastItsRateException(RateDecision decision) : Exception
    {
        public RateDecision Decision { get; } = decision;
    }

    private sealed record Caller(Guid TeamId, Guid? UserId, string? KeyPrefix, string[] Permissions, int RateLimitPerMinute);
}
