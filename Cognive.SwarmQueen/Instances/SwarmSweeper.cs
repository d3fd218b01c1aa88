using Cognive.SwarmQueen.Tasks;

namespace Cognive.SwarmQueen.Instances;

/// <summary>
/// Once a second: instances silent past the heartbeat timeout are declared dead, and lapsed leases (and the leases of
/// dead or departed instances) go back to the queue. Both are single statements, safe with several queens.
/// </summary>
public sealed class SwarmSweeper(InstanceRegistry instances, TaskQueue tasks, IConfiguration configuration, ILogger<SwarmSweeper> logger)
    : BackgroundService
{
    public const string HeartbeatTimeoutSetting = "Cognive:Swarm:HeartbeatTimeoutSeconds";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = TimeSpan.FromSeconds(configuration.GetValue(HeartbeatTimeoutSetting, 10));
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var dead = await instances.DeclareSilentDeadAsync(timeout, stoppingToken);
                var released = await tasks.ReleaseLapsedAsync(stoppingToken);
                if (dead > 0 || released > 0)
                {
                    logger.LogInformation("{Dead} silent instances declared dead; {Released} leases released", dead, released);
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException)
            {
                logger.LogWarning("Swarm sweep failed, retrying: {Reason}", e.Message);
            }
        }
    }
}
