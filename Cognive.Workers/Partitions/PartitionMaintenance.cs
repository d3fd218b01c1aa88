using Cognive.Data.Telemetry;
using Npgsql;

namespace Cognive.Workers.Partitions;

/// <summary>Creates the telemetry tables' coming partitions on start and every hour, so inserts never find none.</summary>
public sealed class PartitionMaintenance(NpgsqlDataSource db, ILogger<PartitionMaintenance> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var command = db.CreateCommand(TelemetrySchema.EnsurePartitionsSql);
                var created = await command.ExecuteScalarAsync(stoppingToken);
                logger.LogInformation("Partitions ensured; {Created} created", created);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Partitions could not be ensured; retrying in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
