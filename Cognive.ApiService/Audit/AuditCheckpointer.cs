using Cognive.Data;
using Cognive.Data.Audit;
using Microsoft.Extensions.Options;

namespace Cognive.ApiService.Audit;

/// <summary>
/// Every round, signs the head of each team's chain that grew since its last checkpoint, after checking what is new, and
/// publishes the checkpoint to the log (outside PostgreSQL). Several API replicas may run rounds at once: the team's audit
/// lock makes the second find the head already signed.
/// </summary>
internal sealed class AuditCheckpointer(IServiceScopeFactory scopes, AuditKey key, TimeProvider time,
    IOptions<AuditCheckpointOptions> options, ILogger<AuditCheckpointer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        do
        {
            await RoundAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CogniveDbContext>();
        List<Guid> teams;
        try
        {
            teams = await AuditCheckpoints.TeamsBehindAsync(db, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not list the audit chains to checkpoint; the next round tries again");
            return;
        }

        foreach (var teamId in teams)
        {
            // One team's failure (a broken chain, a lost connection) never keeps the others unsigned.
            try
            {
                var sealedHead = await AuditCheckpoints.SealHeadAsync(db, key, teamId, time.GetUtcNow(), ct);
                if (sealedHead.Created)
                {
                    AuditCheckpoints.Publish(logger, sealedHead.Checkpoint!);
                }
                else if (!sealedHead.Verification.Intact)
                {
                    logger.LogError("The audit chain of team {TeamId} is broken at record {RecordId}: {Reason}; it is not checkpointed",
                        teamId, sealedHead.Verification.FirstBrokenId, sealedHead.Verification.Reason);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not checkpoint the audit chain of team {TeamId}", teamId);
            }
        }
    }
}
