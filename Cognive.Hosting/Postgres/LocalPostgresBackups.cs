using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cognive.Hosting.Postgres;

/// <summary>
/// Continuous archiving and backups of the process-form PostgreSQL with pgBackRest: the server pushes every WAL segment to
/// the repository; <c>scripts/backup.sh</c> takes, lists, verifies and restores backups; the dashboard runs it as the
/// resource's "Back up now" and "Verify last backup" commands; <see cref="BackupSchedule"/> runs the design's schedule.
/// </summary>
public static class LocalPostgresBackups
{
    public const string Stanza = "cognive";
    public const string BackUpCommand = "backup-now";
    public const string VerifyCommand = "verify-backup";

    public static IResourceBuilder<LocalPostgresServerResource> WithBackups(this IResourceBuilder<LocalPostgresServerResource> server,
        IResourceBuilder<ExecutableResource> init, StateFolder state, string binFolder, string dataFolder)
    {
        var builder = server.ApplicationBuilder;
        var settings = BackupSettings.From(builder.Configuration);
        if (!settings.Enabled)
        {
            return server;
        }

        var repository = System.IO.Path.GetFullPath(settings.Path ?? state.Combine("backups"));
        var home = state.Combine("postgres");
        var socketFolder = System.IO.Path.Combine(home, "run");
        var toolFolder = System.IO.Path.Combine(home, "pgbackrest");
        var configFile = System.IO.Path.Combine(toolFolder, "pgbackrest.conf");
        // pgBackRest creates none of its own folders.
        string[] folders = [repository, socketFolder, toolFolder, .. new[] { "log", "lock", "spool" }.Select(f => System.IO.Path.Combine(toolFolder, f))];
        foreach (var folder in folders)
        {
            Directory.CreateDirectory(folder);
            ServiceAccount.GiveTo("postgres", folder);
        }

        File.WriteAllText(configFile, $"""
            [global]
            repo1-path={repository}
            repo1-retention-full-type=time
            repo1-retention-full={settings.RetentionDays}
            compress-type=lz4
            start-fast=y
            archive-async=y
            spool-path={toolFolder}/spool
            lock-path={toolFolder}/lock
            log-path={toolFolder}/log
            log-level-console=warn
            log-level-file=info

            [{Stanza}]
            pg1-path={dataFolder}
            pg1-socket-path={socketFolder}
            pg1-user={LocalPostgresServerResource.UserName}

            """);
        var archiveCommand = $"/usr/bin/pgbackrest --config={configFile} --stanza={Stanza} archive-push %p";
        File.WriteAllText(System.IO.Path.Combine(home, "backup.env"), string.Create(CultureInfo.InvariantCulture, $"""
            # Written by the AppHost on every run (Cognive:Backups); read by scripts/backup.sh.
            PG_BIN='{binFolder}'
            PG_DATA='{dataFolder}'
            PG_RUN='{socketFolder}'
            STANZA='{Stanza}'
            PGBACKREST_CONFIG='{configFile}'
            ARCHIVE_COMMAND='{archiveCommand}'
            REPLAY_OPTIONS='-c max_connections={LocalPostgresServerResource.MaxConnections}'
            FULL_EVERY_SECONDS={(long)settings.FullEvery.TotalSeconds}
            INCREMENTAL_EVERY_SECONDS={(long)settings.IncrementalEvery.TotalSeconds}

            """));
        ServiceAccount.GiveTo("postgres", toolFolder);

        // A new state folder holding a copy of the repository starts from its latest backup (postgres-init.sh).
        init.WithEnvironment("COGNIVE_PGBACKREST_CONFIG", configFile);

        var script = BackupScript.Locate(builder.AppHostDirectory);
        string[] Args(params string[] command) => [script, "--state", state.Path, .. command];

        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (e, ct) =>
        {
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server.Resource);
            await BackupScript.RunAsync(Args("init"), logger, ct);
        });
        if (settings.CheckEvery > TimeSpan.Zero)
        {
            builder.Services.AddHostedService(services => new BackupSchedule(server.Resource, Args("scheduled"), settings.CheckEvery,
                services.GetRequiredService<ResourceNotificationService>(), services.GetRequiredService<ResourceLoggerService>(),
                TimeProvider.System));
        }

        return server
            // Later -c options override the server's defaults: a private socket for pgBackRest, which connects through one.
            .WithArgs("-c", $"unix_socket_directories={socketFolder}",
                "-c", "archive_mode=on",
                "-c", $"archive_command={archiveCommand}",
                "-c", string.Create(CultureInfo.InvariantCulture, $"archive_timeout={(int)settings.ArchiveTimeout.TotalSeconds}"))
            .WithCommand(BackUpCommand, "Back up now", context => RunCommandAsync(context, server.Resource, Args("create")), new CommandOptions
            {
                Description = "An incremental pgBackRest backup now (full when there is none yet).",
                IconName = "Save",
            })
            .WithCommand(VerifyCommand, "Verify last backup", context => RunCommandAsync(context, server.Resource, Args("verify")), new CommandOptions
            {
                Description = "Restores the latest backup into a scratch folder, starts a throw-away server on it and runs Cognive's integrity checks.",
                IconName = "ShieldCheckmark",
            });
    }

    /// <summary>The script's output goes to the server's log in the dashboard; the command's result says where to look.</summary>
    private static async Task<ExecuteCommandResult> RunCommandAsync(ExecuteCommandContext context, IResource server, string[] args)
    {
        var logger = context.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
        var (succeeded, output) = await BackupScript.RunAsync(args, logger, context.CancellationToken);
        return succeeded ? CommandResults.Success() : CommandResults.Failure(output.Split('\n')[^1]);
    }
}
