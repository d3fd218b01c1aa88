using Cognive.Data;
using Cognive.Data.Pricing;
using Cognive.Data.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace Cognive.MigrationService;

/// <summary>
/// Applies the schema once, before the services start (they wait for this process to finish), then exits:
/// 0 when the database is ready, 1 when it is not, so nothing starts on a half-migrated schema.
/// </summary>
internal sealed class DatabaseMigrator(IServiceScopeFactory scopes, AdminBootstrap bootstrap, SwarmBootstrap swarm, AuditAnchors audit,
    IHostApplicationLifetime lifetime, ILogger<DatabaseMigrator> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CogniveDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(stoppingToken)).ToList();
            await db.Database.MigrateAsync(stoppingToken);
            logger.LogInformation("Applied {Count} migrations: {Migrations}", pending.Count, pending);
            var prices = await PriceListSeed.ApplyAsync(db, stoppingToken);
            logger.LogInformation("Added {Count} price versions from the shipped price list", prices);
            await db.Database.ExecuteSqlRawAsync(TelemetrySchema.EnsurePartitionsSql, stoppingToken);
            await bootstrap.EnsureAdminAsync(db, stoppingToken);
            await swarm.EnsureSwarmKeyAsync(db, stoppingToken);
            await audit.AnchorAsync(db, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The database could not be migrated");
            Environment.ExitCode = 1;
        }

        lifetime.StopApplication();
    }
}
