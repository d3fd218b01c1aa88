using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cognive.Data;

/// <summary>
/// Services start beside the migrations service rather than after it, as they would in Kubernetes: this holds a
/// service's start — its background loops and its HTTP server, so its readiness probe fails — until the database has
/// <see cref="SchemaHistory.LatestMigration"/>. On a warm start that is one look at the catalog and one read.
/// </summary>
public sealed class SchemaGate(NpgsqlDataSource database, TimeProvider time, ILogger<SchemaGate> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    // A migrations service that failed leaves this service waiting for ever: say so in its own log, not once but on and on.
    private static readonly TimeSpan Remind = TimeSpan.FromSeconds(30);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var reminded = TimeSpan.Zero;
        while (await AppliedAsync(cancellationToken) is var applied && !applied.Contains(SchemaHistory.LatestMigration))
        {
            var waited = time.GetElapsedTime(started);
            if (reminded == TimeSpan.Zero)
            {
                logger.LogInformation("Waiting for the migrations service to apply {Migration}", SchemaHistory.LatestMigration);
                reminded = Remind;
            }
            else if (waited >= reminded)
            {
                logger.LogWarning("Still waiting after {Seconds:F0} s for the migrations service to apply {Migration}; the database's newest is " +
                    "{Applied}. If the migrations service has stopped, its log says why", waited.TotalSeconds, SchemaHistory.LatestMigration,
                    applied.Count > 0 ? applied.Max(StringComparer.Ordinal) : "none");
                reminded += Remind;
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<string>> AppliedAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return await SchemaHistory.AppliedAsync(connection, ct);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class SchemaGateExtensions
{
    /// <summary>Holds the service's start until the schema is current (see <see cref="SchemaGate"/>); needs an <see cref="NpgsqlDataSource"/>.</summary>
    public static IServiceCollection AddSchemaGate(this IServiceCollection services)
    {
        services.AddHostedService<SchemaGate>();
        return services;
    }
}
