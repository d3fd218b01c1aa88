using Cognive.ApiService.Authentication;
using Cognive.Data;
using Cognive.Data.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Cognive.ApiService.Audit;

/// <summary>
/// Appends the audit record of a mutating call, in the transaction that made the change: the change commits only with
/// its record. Records are chained and sealed per team by <see cref="AuditSealer"/>, as the Swarm Queen's are.
/// </summary>
public sealed class AuditLog(AuditSealer sealer)
{
    /// <summary>
    /// Runs a change and the audit records it writes as one transaction, retried whole on a transient failure (the
    /// database connection retries, so a transaction must be a unit it can repeat). Each attempt starts from an empty
    /// change tracker: <paramref name="change"/> creates what it saves.
    /// </summary>
    public static Task<T> InTransactionAsync<T>(CogniveDbContext db, Func<Task<T>> change, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await change();
            await transaction.CommitAsync(ct);
            return result;
        });

    /// <param name="summary">What changed (before and after): names and states, never a secret.</param>
    public Task RecordAsync(CogniveDbContext db, HttpContext http, string action, string targetType, object targetId,
        object summary, CancellationToken ct) =>
        RecordAsync(db, http, CogniveClaims.TeamIdOf(http.User), CogniveClaims.ActorOf(http.User), action, targetType, targetId, summary, ct);

    /// <summary>For calls made before anyone is authenticated (logins): the team and actor are named explicitly.</summary>
    public async Task RecordAsync(CogniveDbContext db, HttpContext http, Guid teamId, string actor, string action, string targetType,
        object targetId, object summary, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction?.GetDbTransaction() is not NpgsqlTransaction transaction)
        {
            throw new InvalidOperationException($"An audit record is written inside {nameof(InTransactionAsync)}, with its change.");
        }

        // What the change left pending is saved first, as before the record, so the record follows its change.
        await db.SaveChangesAsync(ct);
        await sealer.AppendAsync((NpgsqlConnection)db.Database.GetDbConnection(), transaction, teamId, actor, action, targetType,
            targetId.ToString()!, summary, ct, http.RequestId(), http.Connection.RemoteIpAddress?.ToString());
    }
}
