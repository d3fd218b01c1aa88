using System.Collections.Concurrent;
using Cognive.SwarmQueen.Instances;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// Every few seconds, GETs each live instance's readiness endpoint. Three failures in a row make it unhealthy (no more
/// leases; recovery due after the grace); a later success makes it healthy again. Only the status is kept.
/// </summary>
public sealed class ReadinessProber(NpgsqlDataSource db, IHttpClientFactory clients, IOptions<RecoveryOptions> settings,
    ILogger<ReadinessProber> logger) : BackgroundService
{
    public const string ClientName = "readiness";
    public const int FailuresBeforeUnhealthy = 3;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, int> _failures = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var instances = await ProbedAsync(stoppingToken);
                await Parallel.ForEachAsync(instances, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                    async (instance, ct) => await ProbeAsync(instance.Id, instance.Url, ct));
                foreach (var gone in _failures.Keys.Except(instances.Select(i => i.Id)))
                {
                    _failures.TryRemove(gone, out _);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Readiness probing failed, retrying");
            }
        }
    }

    private async Task ProbeAsync(Guid instanceId, string url, CancellationToken ct)
    {
        var ready = false;
        try
        {
            using var response = await clients.CreateClient(ClientName).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            ready = response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Not ready: no answer, or a readiness URL the instance registered that cannot even be requested (its own fault).
        }

        var failures = ready ? _failures.AddOrUpdate(instanceId, 0, (_, _) => 0) : _failures.AddOrUpdate(instanceId, 1, (_, n) => n + 1);
        if (ready || failures == FailuresBeforeUnhealthy)
        {
            await MarkAsync(instanceId, ready, ct);
        }
    }

    private async Task MarkAsync(Guid instanceId, bool ready, CancellationToken ct)
    {
        await using var command = db.CreateCommand(ready
            ? """
              UPDATE swarm_instances SET state = 'Idle', failed_at = NULL, failure_reason = NULL, recovery_due_at = NULL
              WHERE id = $1 AND state = 'Unhealthy' AND failure_reason = 'not_ready'
              """
            : $"""
              UPDATE swarm_instances SET state = 'Unhealthy', failed_at = now(), failure_reason = 'not_ready', recovery_due_at = now() + $2
              WHERE id = $1 AND state IN {InstanceStates.Healthy}
              """);
        command.Parameters.Add(new() { Value = instanceId });
        if (!ready)
        {
            command.Parameters.Add(new() { Value = settings.Value.Grace });
        }

        if (await command.ExecuteNonQueryAsync(ct) == 1)
        {
            logger.LogWarning("Instance {InstanceId} is {State}", instanceId, ready ? "ready again" : "not ready: unhealthy");
        }
    }

    private async Task<List<(Guid Id, string Url)>> ProbedAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            SELECT id, readiness_url FROM swarm_instances
            WHERE readiness_url IS NOT NULL AND state IN {InstanceStates.Live}
            """);
        var instances = new List<(Guid, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            instances.Add((reader.GetGuid(0), reader.GetString(1)));
        }

        return instances;
    }
}
