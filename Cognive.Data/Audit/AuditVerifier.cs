using Microsoft.EntityFrameworkCore;

namespace Cognive.Data.Audit;

/// <summary>
/// Checks a team's chain: every link, every seal, and against a signed checkpoint (the newest stored one, or one the team
/// saved) that the chain still holds the checkpoint's record, with its seal, at its position. By default only the records
/// after the checkpoint are recomputed; the records before it are vouched for by the checkpoint, whose own record and
/// count are checked. Records sealed without the key (written before it existed) are accepted only where a stored,
/// signed checkpoint covers them and only before the first keyed record.
/// </summary>
public static class AuditVerifier
{
    /// <summary>From the newest stored checkpoint (or the whole chain, when <paramref name="full"/> or there is none).</summary>
    public static async Task<AuditVerification> VerifyAsync(CogniveDbContext db, AuditKey key, Guid teamId, bool full, CancellationToken ct)
    {
        var stored = await NewestStoredAsync(db, teamId, ct);
        if (stored is not null && !stored.IsSignedFor(key, teamId))
        {
            return AuditVerification.Broken(0, null, $"stored checkpoint {stored.Id} is not signed with the audit key");
        }

        var legacyUpTo = stored?.LastId ?? 0;
        var walk = full || stored is null
            ? await WalkAsync(db, key, teamId, from: null, legacyUpTo, mustContain: stored, ct)
            : await FromCheckpointAsync(db, key, teamId, stored, legacyUpTo, ct);
        return walk.Outcome;
    }

    /// <summary>From a checkpoint the team saved, whose signature the caller has checked.</summary>
    public static async Task<AuditVerification> VerifyFromAsync(CogniveDbContext db, AuditKey key, Guid teamId, AuditCheckpoint saved,
        CancellationToken ct)
    {
        var stored = await NewestStoredAsync(db, teamId, ct);
        var legacyUpTo = stored is not null && stored.IsSignedFor(key, teamId) ? stored.LastId : 0;
        return (await FromCheckpointAsync(db, key, teamId, saved, legacyUpTo, ct)).Outcome;
    }

    internal static Task<AuditCheckpoint?> NewestStoredAsync(CogniveDbContext db, Guid teamId, CancellationToken ct) =>
        db.AuditCheckpoints.AsNoTracking().Where(c => c.TeamId == teamId).OrderByDescending(c => c.LastId).ThenByDescending(c => c.Id)
            .FirstOrDefaultAsync(ct);

    /// <summary>The chain as walked: the outcome, and the head it reached (what a new checkpoint would sign).</summary>
    internal sealed record Walk(AuditVerification Outcome, long HeadId, byte[] HeadHash, long Count);

    /// <summary>
    /// Walks the records after <paramref name="checkpoint"/> when its record is still there, with its seal and position;
    /// otherwise the whole chain, to name the first record that changed or to report the cut.
    /// </summary>
    internal static async Task<Walk> FromCheckpointAsync(CogniveDbContext db, AuditKey key, Guid teamId, AuditCheckpoint checkpoint,
        long legacyUpTo, CancellationToken ct)
    {
        var records = db.AuditRecords.AsNoTracking().Where(r => r.TeamId == teamId);
        var sealAtCheckpoint = await records.Where(r => r.Id == checkpoint.LastId).Select(r => r.Hash).FirstOrDefaultAsync(ct);
        var position = await records.LongCountAsync(r => r.Id <= checkpoint.LastId, ct);
        return sealAtCheckpoint is not null && sealAtCheckpoint.AsSpan().SequenceEqual(checkpoint.Hash) && position == checkpoint.Count
            ? await WalkAsync(db, key, teamId, checkpoint, legacyUpTo, mustContain: null, ct)
            : await WalkAsync(db, key, teamId, from: null, legacyUpTo, mustContain: checkpoint, ct);
    }

    /// <param name="from">Start after this checkpoint's record, trusting its seal and count; null for the first record.</param>
    /// <param name="legacyUpTo">The last id a record sealed without the key may have (what a stored checkpoint covers).</param>
    /// <param name="mustContain">A checkpoint whose record the walk must meet, with its seal and position.</param>
    internal static async Task<Walk> WalkAsync(CogniveDbContext db, AuditKey key, Guid teamId, AuditCheckpoint? from, long legacyUpTo,
        AuditCheckpoint? mustContain, CancellationToken ct)
    {
        var afterId = from?.LastId ?? 0;
        var (headId, previous, count, checkedCount, keyed) = (afterId, from?.Hash ?? AuditChain.Genesis, from?.Count ?? 0, 0L, false);
        var met = false;
        await foreach (var record in db.AuditRecords.AsNoTracking().Where(r => r.TeamId == teamId && r.Id > afterId).OrderBy(r => r.Id)
                           .AsAsyncEnumerable().WithCancellation(ct))
        {
            checkedCount++;
            count++;
            var broken = !record.PreviousHash.AsSpan().SequenceEqual(previous) ? "previous_hash does not match the record before it"
                : record.SealVersion == AuditSealVersion.Sha256 && (keyed || record.Id > legacyUpTo)
                    ? "the record is sealed without the audit key where no signed checkpoint vouches for such a seal"
                : !AuditChain.Holds(record, key) ? "the record's content does not match its seal"
                : mustContain is not null && record.Id == mustContain.LastId && !record.Hash.AsSpan().SequenceEqual(mustContain.Hash)
                    ? "the record no longer has the seal the checkpoint recorded"
                : mustContain is not null && record.Id == mustContain.LastId && count != mustContain.Count
                    ? $"the checkpoint counted {mustContain.Count} records up to this one; the chain now has {count}"
                : null;
            if (broken is not null)
            {
                return new(AuditVerification.Broken(checkedCount, record.Id, broken), headId, previous, count);
            }

            keyed |= record.SealVersion == AuditSealVersion.HmacSha256;
            met |= record.Id == mustContain?.LastId;
            (headId, previous) = (record.Id, record.Hash);
        }

        // Records appended after a cut link to the cut chain's new head and hold: only the checkpoint tells them apart.
        if (mustContain is not null && !met)
        {
            return new(AuditVerification.Broken(checkedCount, mustContain.LastId,
                $"truncated: the chain no longer holds record {mustContain.LastId}, the last of the {mustContain.Count} records " +
                $"the checkpoint of {mustContain.CreatedAt:O} covers; it now has {count} records"), headId, previous, count);
        }

        return new(new AuditVerification(true, checkedCount, null, null, from?.LastId), headId, previous, count);
    }
}
