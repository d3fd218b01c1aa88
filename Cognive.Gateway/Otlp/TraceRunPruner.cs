using Microsoft.Extensions.Options;
using Npgsql;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// Keeps <c>otel_trace_runs</c> (trace → run) to <see cref="GatewayOptions.TraceRunRetentionDays"/>: on start and every
/// hour, keys older than that are deleted, a few thousand a statement so no statement holds many locks for long. The
/// runs stay; a span of a pruned trace exported after that starts a run of its own. Every replica prunes: deleting what
/// another already deleted does nothing.
/// </summary>
public sealed class TraceRunPruner(NpgsqlDataSource db, IOptions<GatewayOptions> options, TimeProvider time, ILogger<TraceRunPruner> logger)
    : BackgroundService
{
    private const int Batch = 5000;
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await PruneAsync(stoppingToken);
                }
                catch (NpgsqlException e)
                {
                    logger.LogWarning("otel_trace_runs was not pruned this time: {Reason}", e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Deletes every key older than the retention; the number deleted.</summary>
    public async Task<long> PruneAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.Value.TraceRunRetentionDays);
        long pruned = 0;
        while (true)
        {
            await using var command = db.CreateCommand("""
                DELETE FROM otel_trace_runs WHERE ctid = ANY(ARRAY(SELECT ctid FROM otel_trace_runs WHERE created_at < $1 LIMIT $2))
                """);
            command.Parameters.Add(new() { Value = cutoff });
            command.Parameters.Add(new() { Value = Batch });
            var deleted = await command.ExecuteNonQueryAsync(ct);
            pruned += deleted;
            if (deleted < Batch)
            {
                return pruned;
            }
        }
    }
}
