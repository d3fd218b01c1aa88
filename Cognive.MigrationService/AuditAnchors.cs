using Cognive.Data;
using Cognive.Data.Audit;

namespace Cognive.MigrationService;

/// <summary>
/// Chains written before the audit key existed are sealed with plain SHA-256, which a database superuser can recompute.
/// Before any service appends with the key, their heads are signed as found: from then on those records are vouched for
/// by that checkpoint (changing one changes the head the checkpoint signed), and a record sealed without the key is
/// refused anywhere after it.
/// </summary>
internal sealed class AuditAnchors(IConfiguration configuration, TimeProvider time, ILogger<AuditAnchors> logger)
{
    public async Task AnchorAsync(CogniveDbContext db, CancellationToken ct)
    {
        var key = AuditKey.From(configuration[AuditKey.Setting]);
        foreach (var teamId in await AuditCheckpoints.UnanchoredAsync(db, ct))
        {
            var anchored = await AuditCheckpoints.SealHeadAsync(db, key, teamId, time.GetUtcNow(), ct, anchorUnkeyed: true);
            if (anchored.Created)
            {
                AuditCheckpoints.Publish(logger, anchored.Checkpoint!);
            }
            else
            {
                logger.LogError("The audit chain of team {TeamId} was already broken at record {RecordId} when the key was introduced: {Reason}",
                    teamId, anchored.Verification.FirstBrokenId, anchored.Verification.Reason);
            }
        }
    }
}
