using System.Security.Claims;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Audit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Audit;

/// <summary>
/// The team's signed chain heads, to save outside Cognive, and verification against one the team saved: a cut of the
/// chain's tail leaves every remaining seal intact, and only a checkpoint taken before the cut tells.
/// </summary>
public static class AuditCheckpointEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public static RouteGroupBuilder MapAuditCheckpointEndpoints(this RouteGroupBuilder audit)
    {
        audit.MapGet("/checkpoints", ListAsync).RequirePermission(Permissions.AuditRead);
        audit.MapPost("/checkpoints", TakeAsync).RequirePermission(Permissions.AuditRead);
        audit.MapPost("/verify", VerifyFromAsync).RequirePermission(Permissions.AuditRead);
        return audit;
    }

    /// <summary>The team's checkpoints, newest first; <c>cursor</c> is the last id of the previous page.</summary>
    private static async Task<Results<Ok<AuditCheckpointPage>, ValidationProblem>> ListAsync(long? cursor, int? limit, ClaimsPrincipal user,
        CogniveDbContext db, CancellationToken ct)
    {
        if (FieldRules.PageLimit(limit, MaxPageSize) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var query = db.AuditCheckpoints.AsNoTracking().Where(c => c.TeamId == teamId);
        query = cursor is { } before ? query.Where(c => c.Id < before) : query;
        var size = limit ?? DefaultPageSize;
        var page = await query.OrderByDescending(c => c.Id).Take(size + 1).ToListAsync(ct);
        return TypedResults.Ok(new AuditCheckpointPage(page.Take(size).Select(AuditCheckpointBody.From).ToList(),
            page.Count > size ? page[size - 1].Id : null));
    }

    /// <summary>
    /// Signs the chain's head now (the records since the last checkpoint are checked first); when no record was added
    /// since, the newest checkpoint is answered again.
    /// </summary>
    private static async Task<Results<Created<AuditCheckpointBody>, Ok<AuditCheckpointBody>, ProblemHttpResult>> TakeAsync(
        ClaimsPrincipal user, CogniveDbContext db, AuditKey key, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var sealedHead = await AuditCheckpoints.SealHeadAsync(db, key, CogniveClaims.TeamIdOf(user), time.GetUtcNow(), ct);
        if (!sealedHead.Verification.Intact)
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/audit-chain-broken", title: "Audit chain broken",
                statusCode: StatusCodes.Status409Conflict, detail: sealedHead.Verification.Reason,
                extensions: new Dictionary<string, object?> { ["first_broken_id"] = sealedHead.Verification.FirstBrokenId });
        }

        if (sealedHead.Checkpoint is not { } checkpoint)
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/audit-chain-empty", title: "Audit chain empty",
                statusCode: StatusCodes.Status409Conflict, detail: "The team has no audit record to sign yet.");
        }

        if (!sealedHead.Created)
        {
            return TypedResults.Ok(AuditCheckpointBody.From(checkpoint));
        }

        AuditCheckpoints.Publish(logs.CreateLogger(typeof(AuditCheckpointEndpoints)), checkpoint);
        return TypedResults.Created("/api/v1/audit/checkpoints", AuditCheckpointBody.From(checkpoint));
    }

    /// <summary>
    /// Checks the chain from a checkpoint the team saved: its signature first (refused when Cognive did not sign it for
    /// this team), then that the chain still holds its record at its position (else: changed or truncated), then every
    /// record after it.
    /// </summary>
    private static async Task<Results<Ok<AuditVerification>, ValidationProblem, ProblemHttpResult>> VerifyFromAsync(AuditCheckpointBody body,
        ClaimsPrincipal user, CogniveDbContext db, AuditKey key, CancellationToken ct)
    {
        var (checkpoint, errors) = body.Read();
        if (checkpoint is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        if (!checkpoint.IsSignedFor(key, teamId))
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/audit-checkpoint-not-signed", title: "Checkpoint not signed",
                statusCode: StatusCodes.Status422UnprocessableEntity,
                detail: "Cognive did not sign this checkpoint for your team: it cannot vouch for the chain.");
        }

        return TypedResults.Ok(await AuditVerifier.VerifyFromAsync(db, key, teamId, checkpoint, ct));
    }
}
