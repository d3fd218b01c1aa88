using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cognive.Data.Audit;

/// <summary>What taking a checkpoint came to: the team's newest checkpoint, whether it is new, and the chain's check.</summary>
public sealed record SealedHead(AuditCheckpoint? Checkpoint, bool Created, AuditVerification Verification);

/// <summary>Takes signed checkpoints of teams' chains, after checking what is new since the last one.</summary>
public static class AuditCheckpoints
{
    /// <summary>
    /// Signs the team's chain head, unless the newest checkpoint already covers it. The records since the newest checkpoint
    /// are checked first, under the team's audit lock (no append can slip in between); a broken chain is not signed.
    /// </summary>
    /// <param name="anchorUnkeyed">
    /// Sign a chain of records sealed without the key (the migrations do it once per chain written before the key existed).
    /// </param>
    public static Task<SealedHead> SealHeadAsync(CogniveDbContext db, AuditKey key, Guid teamId, DateTimeOffset now, CancellationToken ct,
        bool anchorUnkeyed = false) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var lockKey = AuditChain.LockKey(teamId);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", ct);
            var stored = await AuditVerifier.NewestStoredAsync(db, teamId, ct);
            if (stored is not null && !stored.IsSignedFor(key, teamId))
            {
                return new SealedHead(null, false, AuditVerification.Broken(0, null, $"stored checkpoint {stored.Id} is not signed with the audit key"));
            }

            var headId = await db.AuditRecords.Where(r => r.TeamId == teamId).MaxAsync(r => (long?)r.Id, ct);
            if (headId is null || headId == stored?.LastId)
            {
                return new SealedHead(stored, false, new AuditVerification(true, 0, null, null, stored?.LastId));
            }

            var legacyUpTo = anchorUnkeyed ? long.MaxValue : stored?.LastId ?? 0;
            var walk = stored is null
                ? await AuditVerifier.WalkAsync(db, key, teamId, from: null, legacyUpTo, mustContain: null, ct)
                : await AuditVerifier.FromCheckpointAsync(db, key, teamId, stored, legacyUpTo, ct);
            if (!walk.Outcome.Intact)
            {
                return new SealedHead(stored, false, walk.Outcome);
            }

            var checkpoint = AuditCheckpoint.Sign(key, teamId, walk.HeadId, walk.HeadHash, walk.Count, now);
            db.AuditCheckpoints.Add(checkpoint);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return new SealedHead(checkpoint, true, walk.Outcome);
        });

    /// <summary>Teams with records no checkpoint covers yet.</summary>
    public static Task<List<Guid>> TeamsBehindAsync(CogniveDbContext db, CancellationToken ct) =>
        db.Teams.AsNoTracking()
            .Where(t => db.AuditRecords.Any(r => r.TeamId == t.Id &&
                                                 r.Id > (db.AuditCheckpoints.Where(c => c.TeamId == t.Id).Max(c => (long?)c.LastId) ?? 0)))
            .Select(t => t.Id).ToListAsync(ct);

    /// <summary>
    /// Teams whose chain was written before the audit key existed: records sealed without it, none with it, no checkpoint.
    /// Their heads are signed once, as found, so those records are vouched for from then on and nothing can be added
    /// before the first keyed record.
    /// </summary>
    public static Task<List<Guid>> UnanchoredAsync(CogniveDbContext db, CancellationToken ct) =>
        db.Teams.AsNoTracking()
            .Where(t => db.AuditRecords.Any(r => r.TeamId == t.Id && r.SealVersion == AuditSealVersion.Sha256) &&
                        !db.AuditRecords.Any(r => r.TeamId == t.Id && r.SealVersion == AuditSealVersion.HmacSha256) &&
                        !db.AuditCheckpoints.Any(c => c.TeamId == t.Id))
            .Select(t => t.Id).ToListAsync(ct);

    /// <summary>The checkpoint in the log, structured, with everything needed to present it to verify later.</summary>
    public static void Publish(ILogger logger, AuditCheckpoint checkpoint) =>
        logger.LogInformation(
            "Audit checkpoint: team {TeamId}, last id {LastId}, hash {Hash}, count {Count}, created at {CreatedAt:O}, signature {Signature}",
            checkpoint.TeamId, checkpoint.LastId, Convert.ToHexStringLower(checkpoint.Hash), checkpoint.Count, checkpoint.CreatedAt,
            Convert.ToHexStringLower(checkpoint.Signature));
}
