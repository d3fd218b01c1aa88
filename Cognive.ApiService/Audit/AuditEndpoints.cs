using System.Security.Claims;
using System.Text.Json;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Audit;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Audit;

public sealed record AuditRecordResponse(long Id, DateTimeOffset OccurredAt, string Actor, string Action, string TargetType,
    string TargetId, JsonElement Summary, string RequestId, string? SourceIp, string Hash)
{
    public static AuditRecordResponse From(AuditRecord record) => new(record.Id, record.OccurredAt, record.Actor, record.Action,
        record.TargetType, record.TargetId, JsonDocument.Parse(record.Summary).RootElement.Clone(), record.RequestId,
        record.SourceIp, Convert.ToHexStringLower(record.Hash));
}

public sealed record AuditPage(IReadOnlyList<AuditRecordResponse> Items, long? NextCursor);

public static class AuditEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/", ListAsync).RequirePermission(Permissions.AuditRead);
        audit.MapGet("/verify", VerifyAsync).RequirePermission(Permissions.AuditRead);
        audit.MapAuditCheckpointEndpoints();
        return api;
    }

    /// <summary>
    /// The team's records, newest first, filtered by exact action, actor (<c>key:&lt;prefix&gt;</c>, <c>user:&lt;id&gt;</c>,
    /// <c>swarm-queen</c>), target, and time (<c>from</c> inclusive, <c>to</c> exclusive); <c>cursor</c> is the last id of the
    /// previous page.
    /// </summary>
    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(string? action, string? actor,
        [FromQuery(Name = "target_type")] string? targetType, [FromQuery(Name = "target_id")] string? targetId, DateTimeOffset? from,
        DateTimeOffset? to, long? cursor, int? limit, ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        var errors = FieldRules.PageLimit(limit, MaxPageSize) ?? [];
        if (from >= to)
        {
            errors["to"] = ["to is later than from."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var query = db.AuditRecords.AsNoTracking().Where(r => r.TeamId == teamId);
        query = action is null ? query : query.Where(r => r.Action == action);
        query = actor is null ? query : query.Where(r => r.Actor == actor);
        // PostgreSQL takes timestamps with time zone in UTC only; the caller may name any offset.
        query = from?.ToUniversalTime() is { } start ? query.Where(r => r.OccurredAt >= start) : query;
        query = to?.ToUniversalTime() is { } end ? query.Where(r => r.OccurredAt < end) : query;
        query = targetType is null ? query : query.Where(r => r.TargetType == targetType);
        query = targetId is null ? query : query.Where(r => r.TargetId == targetId);
        query = cursor is { } before ? query.Where(r => r.Id < before) : query;
        var size = limit ?? DefaultPageSize;
        var page = await query.OrderByDescending(r => r.Id).Take(size + 1).ToListAsync(ct);
        var items = page.Take(size).Select(AuditRecordResponse.From).ToList();
        return TypedResults.Ok(new AuditPage(items, page.Count > size ? items[^1].Id : null));
    }

    /// <summary>
    /// Checks the records after the team's newest signed checkpoint, and that the chain still holds that checkpoint's
    /// record at its position; <c>full=true</c> walks the whole chain.
    /// </summary>
    private static async Task<Ok<AuditVerification>> VerifyAsync(bool? full, ClaimsPrincipal user, CogniveDbContext db, AuditKey key,
        CancellationToken ct) =>
        TypedResults.Ok(await AuditVerifier.VerifyAsync(db, key, CogniveClaims.TeamIdOf(user), full ?? false, ct));
}
