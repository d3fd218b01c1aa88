using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace Cognive.Hosting.Postgres;

/// <summary>
/// The local schedule, while the AppHost runs: every <c>CheckEvery</c> it asks <c>backup.sh scheduled</c>, which takes a full
/// backup when the last is older than <c>FullEvery</c> and an incremental one when the last of any kind is older than
/// <c>IncrementalEvery</c>. The decision reads the repository, so a schedule missed while Cognive was down is caught up on start.
/// </summary>
internal sealed class BackupSchedule(LocalPostgresServerResource server, IReadOnlyList<string> scheduledArgs, TimeSpan checkEvery,
    ResourceNotificationService notifications, ResourceLoggerService logs, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await notifications.WaitForResourceHealthyAsync(server.Name, stoppingToken);
            var logger = logs.GetLogger(server);
            using var timer = new PeriodicTimer(checkEvery, time);
            do
            {
                // A failure (the server stopped meanwhile) is logged by the script's runner; the next round tries again.
                await BackupScript.RunAsync(scheduledArgs, logger, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
    }
}
