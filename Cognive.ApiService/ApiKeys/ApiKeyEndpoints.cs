using System.Security.Claims;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Paging;
using Cognive.Data;
using Cognive.Data.ApiKeys;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.ApiKeys;

public static class ApiKeyEndpoints
{
    public const int MaxRateLimitPerMinute = 10_000_000;

    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequirePermission(Permissions.KeyWrite);
        keys.MapGet("/", ListAsync);
        keys.MapPost("/", CreateAsync);
        keys.MapDelete("/{id:guid}", RevokeAsync);
        return api;
    }

    /// <summary>The team's keys in the order they were made, paged by <see cref="ListPages"/>.</summary>
    private static async Task<Results<Ok<List<ApiKeyResponse>>, ValidationProblem>> ListAsync(Guid? cursor, int? limit, ClaimsPrincipal user,
        CogniveDbContext db, HttpContext http, CancellationToken ct)
    {
        if (ListPages.Refusal(limit) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var query = db.ApiKeys.AsNoTracking().Where(k => k.TeamId == teamId);
        query = cursor is { } after ? query.Where(k => k.Id.CompareTo(after) > 0) : query;
        var keys = await ListPages.TakeAsync(query.OrderBy(k => k.Id)
            .Select(k => new ApiKeyResponse(k.Id, k.Name, ApiKeyToken.Scheme + k.Prefix, k.CreatedAt, k.LastUsedAt, k.RevokedAt,
                k.RateLimitPerMinute, k.Scopes, k.ExpiresAt)), limit, k => k.Id, http, ct);
        return TypedResults.Ok(keys);
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateAsync(
        CreateApiKeyRequest request, ClaimsPrincipal user, CogniveDbContext db, AuditLog audit, HttpContext http, TimeProvider time,
        CancellationToken ct)
    {
        var errors = NameRules.Validate(request.Name) ?? new Dictionary<string, string[]>();
        if (request.RateLimitPerMinute is < 1 or > MaxRateLimitPerMinute)
        {
            errors["rate_limit_per_minute"] = [$"rate_limit_per_minute is 1 to {MaxRateLimitPerMinute}."];
        }

        // A key can do at most what its creator can; without scopes it gets what an agent needs, of what its creator has.
        var own = CogniveClaims.PermissionsOf(user);
        var scopes = request.Scopes?.Distinct().ToArray() ?? [.. Permissions.AgentDefaults.Where(own.Contains)];
        if (scopes.Any(string.IsNullOrWhiteSpace))
        {
            errors["scopes"] = ["scopes holds permission names, not null or blank entries."];
        }
        else if (scopes.FirstOrDefault(s => !Permissions.IsKnown(s)) is { } unknown)
        {
            errors["scopes"] = [$"'{unknown}' is not a permission; permissions are {string.Join(", ", Permissions.All)}."];
        }
        else if (scopes.FirstOrDefault(s => !own.Contains(s)) is { } beyond)
        {
            errors["scopes"] = [$"A key cannot be given '{beyond}', which its creator lacks."];
        }

        // A key that expires cannot outlive itself through a key it makes: the new one expires no later (by default, with it).
        var mintingKeyExpiry = CogniveClaims.KeyExpiresAtOf(user);
        var expiresAt = request.ExpiresAt ?? mintingKeyExpiry;
        if (expiresAt is { } expiry && expiry <= time.GetUtcNow())
        {
            errors["expires_at"] = ["expires_at is in the future."];
        }
        else if (expiresAt > mintingKeyExpiry)
        {
            errors["expires_at"] = [$"The calling key expires at {mintingKeyExpiry:O}; a key it makes cannot expire later."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var created = await AuditLog.InTransactionAsync(db, async () =>
        {
            var created = await IssueAsync(db, CogniveClaims.TeamIdOf(user), request.Name!.Trim(), scopes, time, ct,
                request.RateLimitPerMinute, expiresAt);
            await audit.RecordAsync(db, http, "api_key.create", "api_key", created.Id,
                new { after = new { created.Name, created.Prefix, created.RateLimitPerMinute, created.Scopes, created.ExpiresAt } }, ct);
            return created;
        }, ct);
        return TypedResults.Created($"/api/v1/api-keys/{created.Id}", created);
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(Guid id, ClaimsPrincipal user, CogniveDbContext db,
        ApiKeyDirectory directory, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var now = time.GetUtcNow();
        var prefix = await AuditLog.InTransactionAsync(db, async () =>
        {
            var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id && k.TeamId == teamId, ct);
            if (key is null)
            {
                return null;
            }

            var before = new { revoked_at = key.RevokedAt };
            key.RevokedAt ??= now;
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "api_key.revoke", "api_key", id, new { before, after = new { revoked_at = key.RevokedAt } }, ct);
            return key.Prefix;
        }, ct);
        if (prefix is null)
        {
            return TypedResults.NotFound();
        }

        await directory.ForgetAsync(prefix);
        return TypedResults.NoContent();
    }

    /// <summary>Creates a key for a team; the only moment its full text exists outside the caller.</summary>
    internal static async Task<CreatedApiKeyResponse> IssueAsync(CogniveDbContext db, Guid teamId, string name, string[] scopes,
        TimeProvider time, CancellationToken ct, int? rateLimitPerMinute = null, DateTimeOffset? expiresAt = null)
    {
        var token = ApiKeyToken.Generate();
        var key = new ApiKey
        {
            TeamId = teamId, Name = name, Prefix = token.Prefix, SecretHash = token.SecretHash(), CreatedAt = time.GetUtcNow(),
            RateLimitPerMinute = rateLimitPerMinute, Scopes = scopes, ExpiresAt = expiresAt,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return new CreatedApiKeyResponse(key.Id, key.Name, ApiKeyToken.Scheme + key.Prefix, token.ToString(), key.CreatedAt,
            key.RateLimitPerMinute, key.Scopes, key.ExpiresAt);
    }
}

/// <summary>
/// A new key; without <see cref="RateLimitPerMinute"/> it gets the installation's default rate, without
/// <see cref="Scopes"/> the permissions an agent needs (<see cref="Permissions.AgentDefaults"/>) that its creator holds,
/// without <see cref="ExpiresAt"/> it never expires.
/// </summary>
public sealed record CreateApiKeyRequest(string? Name, int? RateLimitPerMinute, string[]? Scopes, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, int? RateLimitPerMinute, string[] Scopes, DateTimeOffset? ExpiresAt);

/// <summary><see cref="Key"/> is shown once, here; Cognive keeps only its hash.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, string Key, DateTimeOffset CreatedAt,
    int? RateLimitPerMinute, string[] Scopes, DateTimeOffset? ExpiresAt);
