using System.Text.Json;
using Cognive.ApiService.Authentication;
using Cognive.Data;
using Cognive.Data.Audit;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Audit;

/// <summary>
/// Appends the audit record of a mutating call, in the transaction that made the change: the change commits only with
/// its record. Records are chained per team; appends of one team are serialised by a transaction-scoped advisory lock.
/// </summary>
public sealed class AuditLog(TimeProvider time)
{
    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

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
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException($"An audit record is written inside {nameof(InTransactionAsync)}, with its change.");
        }

        var lockKey = AuditChain.LockKey(teamId);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", ct);
        var previous = await db.AuditRecords.Where(r => r.TeamId == teamId).OrderByDescending(r => r.Id)
            .Select(r => r.Hash).FirstOrDefaultAsync(ct) ?? AuditChain.Genesis;
        var record = new AuditRecord
        {
            TeamId = teamId,
            OccurredAt = AuditChain.StoredPrecision(time.GetUtcNow()),
            Actor = actor,
            Action = action,
            TargetType = targetType,
            TargetId = targetId.ToString()!,
            Summary = JsonSerializer.Serialize(summary, SummaryJson),
            RequestId = http.RequestId(),
            SourceIp = http.Connection.RemoteIpAddress?.ToString(),
            PreviousHash = previous,
        };
        db.AuditRecords.Add(AuditChain.Seal(record));
        await db.SaveChangesAsync(ct);
    }
}
