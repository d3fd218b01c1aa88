using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Cognive.Hosting.Postgres;

namespace Cognive.Hosting.Publishing;

/// <summary>
/// The published PostgreSQL with pgBackRest, as the process form runs it: the server archives every WAL segment into a
/// repository on a PersistentVolumeClaim of its own (<c>/var/lib/pgbackrest</c>), and the backup CronJobs
/// (<see cref="Kubernetes.BackupManifests"/>) take full and incremental backups there. pgBackRest reads its settings from
/// <c>PGBACKREST_*</c> variables, so an S3-compatible repository is a matter of settings (README, runbook). The image is
/// Aspire's PostgreSQL with Debian's pgbackrest added (<c>Cognive.Hosting/Publishing/postgres.Dockerfile</c>).
/// </summary>
public static class PublishedBackups
{
    public const string Image = "cognive-postgres";
    public const string RepositoryMount = "/var/lib/pgbackrest";

    // PostgreSQL 18's image keeps its data one level below the volume (PGDATA).
    private const string DataFolder = "/var/lib/postgresql/18/docker";

    public static bool BacksUp(IResource resource) => resource.HasAnnotationOfType<PublishedBackupsAnnotation>();

    public static IResourceBuilder<PostgresServerResource> WithPublishedBackups(this IResourceBuilder<PostgresServerResource> postgres)
    {
        var settings = BackupSettings.From(postgres.ApplicationBuilder.Configuration);
        if (!settings.Enabled)
        {
            return postgres;
        }

        var tag = postgres.Resource.Annotations.OfType<ContainerImageAnnotation>().Last().Tag;
        return postgres
            .WithAnnotation(new PublishedBackupsAnnotation())
            .WithImageRegistry(null)
            .WithImage(Image, $"{tag}-pgbackrest")
            .WithVolume(VolumeNameGenerator.Generate(postgres, "backups"), RepositoryMount)
            .WithEnvironment("PGBACKREST_STANZA", LocalPostgresBackups.Stanza)
            .WithEnvironment("PGBACKREST_PG1_PATH", DataFolder)
            .WithEnvironment("PGBACKREST_REPO1_PATH", RepositoryMount)
            .WithEnvironment("PGBACKREST_REPO1_RETENTION_FULL_TYPE", "time")
            .WithEnvironment("PGBACKREST_REPO1_RETENTION_FULL", settings.RetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("PGBACKREST_COMPRESS_TYPE", "lz4")
            .WithEnvironment("PGBACKREST_START_FAST", "y")
            .WithEnvironment("PGBACKREST_ARCHIVE_ASYNC", "y")
            .WithEnvironment("PGBACKREST_SPOOL_PATH", $"{RepositoryMount}/spool")
            .WithArgs("-c", "archive_mode=on",
                "-c", "archive_command=pgbackrest archive-push %p",
                "-c", $"archive_timeout={(int)settings.ArchiveTimeout.TotalSeconds}");
    }

    private sealed class PublishedBackupsAnnotation : IResourceAnnotation;
}
