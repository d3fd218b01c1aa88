using Cognive.SwarmQueen.Memory;
using Cognive.SwarmQueen.Recovery;
using Cognive.SwarmQueen.Tasks;
using Microsoft.Extensions.Options;

namespace Cognive.SwarmQueen.Instances;

/// <summary>
/// Once a second: instances silent past the heartbeat timeout are declared dead, and lapsed leases (and the leases of
/// dead, departed or quarantined instances) go back to the queue: failover. Recovery of the failed is the coordinator's.
/// Once a minute, instances gone for longer than the retention are forgotten, and expired memory entries are deleted. All single statements, safe with several queens.
/// </summary>
public sealed class SwarmSweeper(InstanceRegistry instances, TaskQueue tasks, MemoryStore memory, IConfiguration configuration,
    IOptions<RecoveryOptions> recovery, ILogger<SwarmSweeper> logger)
    : BackgroundService
{
    public const string HeartbeatTimeoutSetting = "Cognive:Swarm:HeartbeatTimeoutSeconds";
    public const string DepartedRetentionSetting = "Cognive:Swarm:DepartedRetentionHours";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ForgetInterval = TimeSpan.FromMinutes(1);

    // Bounded, so one sweep stays short however much expired; the rest goes a minute later.
    private const int ExpiredPerSweep = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = TimeSpan.FromSeconds(configuration.GetValue(HeartbeatTimeoutSetting, 10));
        var retention = TimeSpan.FromHours(configuration.GetValue(DepartedRetentionSetting, 24.0));
        var nextForget = DateTime.UtcNow;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var dead = await instances.DeclareSilentDeadAsync(timeout, recovery.Value.Grace, stoppingToken);
                var released = await tasks.ReleaseLapsedAsync(recovery.Value.Grace, stoppingToken);
                if (dead > 0 || released > 0)
                {
                    logger.LogInformation("{Dead} silent instances declared dead; {Released} leases released", dead, released);
                }

                if (DateTime.UtcNow >= nextForget)
                {
                    nextForget = DateTime.UtcNow + ForgetInterval;
                    var forgotten = await instances.ForgetDepartedAsync(retention, stoppingToken);
                    if (forgotten > 0)
                    {
                        logger.LogInformation("{Forgotten} instances gone for over {Retention} forgotten", forgotten, retention);
                    }

                    var expired = await memory.SweepExpiredAsync(ExpiredPerSweep, stoppingToken);
                    if (expired > 0)
                    {
                        logger.LogInformation("{Expired} expired swarm memory entries deleted", expired);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Single statements over every team: nothing one team wrote is handled alone, so a failure is the store's.
                logger.LogWarning(e, "Swarm sweep failed, retrying");
            }
        }
    }
}
