using System.Security.Claims;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Providers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Providers;

/// <summary>
/// The team's provider connections: the upstreams the gateway forwards to. The upstream key goes in once (create, or a
/// replacement by PATCH) and never comes out: answers and audit records describe the connection without it. The gateway
/// sees a change within its cache's few seconds.
/// </summary>
public static class ProviderEndpoints
{
    public static RouteGroupBuilder MapProviderEndpoints(this RouteGroupBuilder api)
    {
        var providers = api.MapGroup("/providers").WithTags("Providers");
        providers.MapPost("/", CreateAsync).RequirePermission(Permissions.ProviderWrite);
        providers.MapGet("/", ListAsync).RequirePermission(Permissions.CostRead);
        providers.MapGet("/{id:guid}", GetAsync).RequirePermission(Permissions.CostRead);
        providers.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(Permissions.ProviderWrite);
        providers.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(Permissions.ProviderWrite);
        return api;
    }

    private static async Task<Results<Created<ProviderResponse>, ValidationProblem>> CreateAsync(CreateProviderRequest request,
        ClaimsPrincipal user, CogniveDbContext db, ProviderKeyCipher cipher, AuditLog audit, HttpContext http, TimeProvider time,
        CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var errors = ProviderRules.Validate(request.Name, request.Provider, request.BaseUrl, request.ApiKey, creating: true);
        await CheckAgainstTeamAsync(db, teamId, null, request.Name, request.Provider, errors, ct);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var connection = await AuditLog.InTransactionAsync(db, async () =>
        {
            var id = Guid.CreateVersion7();
            var connection = new ProviderConnection
            {
                Id = id, TeamId = teamId, Name = request.Name!, Provider = ProviderRules.Normalised(request.Provider!),
                BaseUrl = ProviderRules.NormalisedUrl(request.BaseUrl!), EncryptedApiKey = cipher.Encrypt(id, request.ApiKey!),
                IsDefault = request.Default ?? false, CreatedAt = now, UpdatedAt = now,
            };
            if (connection.IsDefault)
            {
                await ClearDefaultAsync(db, teamId, ct);
            }

            db.ProviderConnections.Add(connection);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "provider.create", "provider", connection.Id, new { after = ToResponse(connection) }, ct);
            return connection;
        }, ct);
        return TypedResults.Created($"/api/v1/providers/{connection.Id}", ToResponse(connection));
    }

    private static async Task<Ok<List<ProviderResponse>>> ListAsync(ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var connections = await db.ProviderConnections.AsNoTracking().Where(c => c.TeamId == teamId && c.DeletedAt == null)
            .OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(connections.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<ProviderResponse>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, CogniveDbContext db,
        CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var connection = await db.ProviderConnections.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Id == id && c.TeamId == teamId && c.DeletedAt == null, ct);
        return connection is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(connection));
    }

    private static async Task<Results<Ok<ProviderResponse>, ValidationProblem, NotFound>> UpdateAsync(Guid id, UpdateProviderRequest request,
        ClaimsPrincipal user, CogniveDbContext db, ProviderKeyCipher cipher, AuditLog audit, HttpContext http, TimeProvider time,
        CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var errors = ProviderRules.Validate(request.Name, request.Provider, request.BaseUrl, request.ApiKey, creating: false);
        await CheckAgainstTeamAsync(db, teamId, id, request.Name, request.Provider, errors, ct);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var connection = await AuditLog.InTransactionAsync(db, async () =>
        {
            var connection = await db.ProviderConnections.SingleOrDefaultAsync(c => c.Id == id && c.TeamId == teamId && c.DeletedAt == null, ct);
            if (connection is null)
            {
                return null;
            }

            var before = ToResponse(connection);
            if (request.Default is true && !connection.IsDefault)
            {
                await ClearDefaultAsync(db, teamId, ct);
            }

            connection.Name = request.Name ?? connection.Name;
            connection.Provider = request.Provider is null ? connection.Provider : ProviderRules.Normalised(request.Provider);
            connection.BaseUrl = request.BaseUrl is null ? connection.BaseUrl : ProviderRules.NormalisedUrl(request.BaseUrl);
            connection.EncryptedApiKey = request.ApiKey is null ? connection.EncryptedApiKey : cipher.Encrypt(connection.Id, request.ApiKey);
            connection.IsDefault = request.Default ?? connection.IsDefault;
            connection.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "provider.update", "provider", connection.Id,
                new { before, after = ToResponse(connection), api_key_replaced = request.ApiKey is not null }, ct);
            return connection;
        }, ct);
        return connection is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(connection));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, CogniveDbContext db, AuditLog audit, HttpContext http,
        TimeProvider time, CancellationToken ct) =>
        await SoftDeletion.EndAsync<ProviderConnection>(db, audit, http, time, id, "provider", ToResponse, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    /// <summary>The provider must be one the price table prices; the name must be free among the team's live connections.</summary>
    private static async Task CheckAgainstTeamAsync(CogniveDbContext db, Guid teamId, Guid? id, string? name, string? provider,
        Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (provider is not null && !errors.ContainsKey("provider"))
        {
            var normalised = ProviderRules.Normalised(provider);
            if (!await db.ModelPrices.AnyAsync(p => p.Provider == normalised, ct))
            {
                errors["provider"] = ["provider names a provider of the price table (GET /api/v1/pricing)."];
            }
        }

        if (name is not null && !errors.ContainsKey("name") &&
            await db.ProviderConnections.AnyAsync(c => c.TeamId == teamId && c.Name == name && c.DeletedAt == null && c.Id != id, ct))
        {
            errors["name"] = ["The team already has a connection with this name."];
        }
    }

    private static Task ClearDefaultAsync(CogniveDbContext db, Guid teamId, CancellationToken ct) =>
        db.ProviderConnections.Where(c => c.TeamId == teamId && c.IsDefault && c.DeletedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.IsDefault, false), ct);

    private static ProviderResponse ToResponse(ProviderConnection connection) => new(connection.Id, connection.Name, connection.Provider,
        connection.BaseUrl, connection.IsDefault, connection.CreatedAt, connection.UpdatedAt);
}
