using Cognive.ApiService.Authentication;
using Cognive.Data;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Audit;

/// <summary>Ends one of the caller's team's objects with its audit record, in one transaction.</summary>
public static class SoftDeletion
{
    /// <param name="alsoAsync">More to change in the same transaction (given the ended object).</param>
    /// <returns>False when the team has no such live object (the caller answers 404).</returns>
    public static Task<bool> EndAsync<T>(CogniveDbContext db, AuditLog audit, HttpContext http, TimeProvider time, Guid id,
        string targetType, Func<T, object> before, CancellationToken ct, Func<T, Task<object?>>? alsoAsync = null)
        where T : class, ISoftDeleted
    {
        var teamId = CogniveClaims.TeamIdOf(http.User);
        return AuditLog.InTransactionAsync(db, async () =>
        {
            var target = await db.Set<T>().SingleOrDefaultAsync(t => t.Id == id && t.TeamId == teamId && t.DeletedAt == null, ct);
            if (target is null)
            {
                return false;
            }

            target.DeletedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            var also = alsoAsync is null ? null : await alsoAsync(target);
            await audit.RecordAsync(db, http, $"{targetType}.delete", targetType, id,
                new { before = before(target), after = new { deleted_at = target.DeletedAt }, also }, ct);
            return true;
        }, ct);
    }
}
