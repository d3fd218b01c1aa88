using Cognive.Data;
using Cognive.Data.Pricing;
using Cognive.Data.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cognive.MigrationService;

/// <summary>
/// Applies the schema, then exits: 0 when the database is ready, 1 when it is not. The services start beside it and hold
/// their start until the newest migration is there (Cognive.Data's SchemaGate), so nothing runs on a half-migrated schema;
/// the agents wait for it to finish, for the swarm key it issues. With
/// <see cref="StayUpSetting"/> (the Aspire manifest, which aspirate deploys as a Deployment that would restart an exited
/// process forever) it stays up once the database is ready, until it is stopped; a failure still exits 1, and the
/// restart retries.
/// </summary>
internal sealed class DatabaseMigrator(IServiceScopeFactory scopes, AdminBootstrap bootstrap, SwarmBootstrap swarm, AuditAnchors audit,
    IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<DatabaseMigrator> logger) : BackgroundService
{
    public const string StayUpSetting = "Cognive:Migrations:StayUp";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CogniveDbContext>();
            var pending = await PendingMigrationsAsync(db, stoppingToken);
            if (pending.Count > 0)
            {
                // Migrate reads the history before creating it: made first, an empty database's read succeeds.
                await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(stoppingToken);
                await db.Database.MigrateAsync(stoppingToken);
            }

            logger.LogInformation("Applied {Count} migrations: {Migrations}", pending.Count, pending);
            var prices = await PriceListSeed.ApplyAsync(db, stoppingToken);
            logger.LogInformation("Added {Count} price versions from the shipped price list", prices);
            await db.Database.ExecuteSqlRawAsync(TelemetrySchema.EnsurePartitionsSql, stoppingToken);
            await bootstrap.EnsureAdminAsync(db, stoppingToken);
            await swarm.EnsureSwarmKeyAsync(db, stoppingToken);
            await audit.AnchorAsync(db, stoppingToken);
            if (configuration.GetValue<bool>(StayUpSetting))
            {
                logger.LogInformation("The database is ready; staying up until stopped ({Setting})", StayUpSetting);
                return;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The database could not be migrated");
            Environment.ExitCode = 1;
        }

        lifetime.StopApplication();
    }

    /// <summary>
    /// What the database lacks, from one catalog lookup and one read. A database holding migrations this version does
    /// not know was made by another version: Cognive 0.1.0 folded the migrations before it into one baseline, so a
    /// database made before that has none of today's and must be made afresh.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PendingMigrationsAsync(CogniveDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var applied = await SchemaHistory.AppliedAsync(db.Database.GetDbConnection(), ct);
        var known = db.Database.GetMigrations().ToList();
        if (applied.Except(known).ToList() is [_, ..] unknown)
        {
            throw new InvalidOperationException(
                $"The database holds migrations this version of Cognive does not have ({string.Join(", ", unknown)}). A database " +
                "made before the migrations were folded into one baseline must be made afresh: stop Cognive, delete its state " +
                "folder (.cognive, or the one --Cognive:StateDir names) and start again.");
        }

        return known.Except(applied).ToList();
    }
}
