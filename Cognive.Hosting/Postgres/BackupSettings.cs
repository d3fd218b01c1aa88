using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting.Postgres;

/// <summary>
/// <c>Cognive:Backups</c>: continuous WAL archiving and scheduled pgBackRest backups of the process-form PostgreSQL.
/// The design's schedule by default: a full backup daily, an incremental one every 6 hours, fulls kept 30 days.
/// </summary>
public sealed class BackupSettings
{
    public const string Section = "Cognive:Backups";

    /// <summary>Archives WAL and takes backups; off turns both off (the server then runs as before).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The pgBackRest repository; default <c>{state}/backups</c>.</summary>
    public string? Path { get; set; }

    public TimeSpan FullEvery { get; set; } = TimeSpan.FromDays(1);

    public TimeSpan IncrementalEvery { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long full backups (and the WAL they need) are kept.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>In the cluster: the full backup's CronJob schedule (daily, 01:00).</summary>
    public string FullSchedule { get; set; } = "0 1 * * *";

    /// <summary>In the cluster: the incremental backup's CronJob schedule (every 6 hours).</summary>
    public string IncrementalSchedule { get; set; } = "30 */6 * * *";

    /// <summary>How often the AppHost asks whether a backup is due; zero turns the local schedule off (a cron line instead).</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest a WAL segment waits before it is archived on a quiet server: the RPO when little is written.</summary>
    public TimeSpan ArchiveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public static BackupSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<BackupSettings>() ?? new BackupSettings();
        string? problem =
            settings.FullEvery <= TimeSpan.Zero ? "FullEvery must be positive" :
            settings.IncrementalEvery <= TimeSpan.Zero ? "IncrementalEvery must be positive" :
            settings.RetentionDays < 1 ? "RetentionDays must be at least 1" :
            settings.CheckEvery < TimeSpan.Zero ? "CheckEvery must not be negative" :
            settings.ArchiveTimeout < TimeSpan.FromSeconds(1) ? "ArchiveTimeout must be at least one second" :
            settings.FullSchedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5 ? "FullSchedule must be a cron schedule (five fields)" :
            settings.IncrementalSchedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5 ? "IncrementalSchedule must be a cron schedule (five fields)" :
            null;
        return problem is null ? settings : throw new CogniveHostingException($"{Section}: {problem}.");
    }
}
