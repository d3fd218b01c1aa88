namespace Cognive.Data.Audit;

/// <summary>The outcome of checking a team's chain: intact, or the first record (or checkpoint) that does not hold.</summary>
/// <param name="RecordsChecked">How many records' seals and links were recomputed.</param>
/// <param name="CheckedAfterId">
/// The id of the checkpoint's record the check started after (records up to it were vouched for by that signed checkpoint),
/// or null when the whole chain was walked.
/// </param>
public sealed record AuditVerification(bool Intact, long RecordsChecked, long? FirstBrokenId, string? Reason, long? CheckedAfterId)
{
    internal static AuditVerification Broken(long recordsChecked, long? firstBrokenId, string reason) =>
        new(false, recordsChecked, firstBrokenId, reason, null);
}
