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

/// <summary>The outcome of walking a team's chain: intact, or the first record whose hash or link does not hold.</summary>
public sealed record AuditVerification(bool Intact, long RecordsChecked, long? FirstBrokenId, string? Reason);

public static class AuditEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/", ListAsync).RequirePermission(Permissions.AuditRead);
        audit.MapGet("/verify", VerifyAsync).RequirePermission(Permissions.AuditRead);
        return api;
    }

    /// <summary>The team's records, newest first; <c>cursor</c> is the last id of the previous page.</summary>
    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(string? action,
        [FromQuery(Name = "target_type")] string? targetType, [FromQuery(Name = "target_id")] string? targetId, long? cursor,
        int? limit, ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        if (FieldRules.PageLimit(limit, MaxPageSize) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var query = db.AuditRecords.AsNoTracking().Where(r => r.TeamId == teamId);
        query = action is null ? query : query.Where(r => r.Action == action);
        query = targetType is null ? query : query.Where(r => r.TargetType == targetType);
        query = targetId is null ? query : query.Where(r => r.TargetId == targetId);
        query = cursor is { } before ? query.Where(r => r.Id < before) : query;
        var size = limit ?? DefaultPageSize;
        var page = await query.OrderByDescending(r => r.Id).Take(size + 1).ToListAsync(ct);
        var items = page.Take(size).Select(AuditRecordResponse.From).ToList();
        return TypedResults.Ok(new AuditPage(items, page.Count > size ? items[^1].Id : null));
    }

    /// <summary>Walks the team's chain from its first record, recomputing every hash and link.</summary>
    private static async Task<Ok<AuditVerification>> VerifyAsync(ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var previous = AuditChain.Genesis;
        long checkedCount = 0;
        await foreach (var record in db.AuditRecords.AsNoTracking().Where(r => r.TeamId == teamId).OrderBy(r => r.Id).AsAsyncEnumerable()
                           .WithCancellation(ct))
        {
            checkedCount++;
            if (!record.PreviousHash.AsSpan().SequenceEqual(previous))
            {
                return TypedResults.Ok(new AuditVerification(false, checkedCount, record.Id, "previous_hash does not match the record before it"));
            }

            if (!AuditChain.HashOf(record).AsSpan().SequenceEqual(record.Hash))
            {
                return TypedResults.Ok(new AuditVerification(false, checkedCount, record.Id, "the record's content does not match its hash"));
            }

            previous = record.Hash;
        }

        return TypedResults.Ok(new AuditVerification(true, checkedCount, null, null));
    }
}
