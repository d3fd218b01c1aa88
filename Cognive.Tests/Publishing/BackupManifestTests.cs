using k8s.Models;

namespace Cognive.Tests.Publishing;

/// <summary>The published form backs PostgreSQL up: WAL archived by the server, a repository on a claim of its own, CronJobs.</summary>
public sealed class BackupManifestTests(PublishedKubernetesTree tree) : IClassFixture<PublishedKubernetesTree>
{
    [Fact]
    public void The_postgres_server_archives_its_WAL_into_a_repository_on_a_claim_of_its_own()
    {
        var postgres = tree.OfType<V1StatefulSet>().Single(s => s.Metadata.Name == "postgres");
        var container = postgres.Spec.Template.Spec.Containers.Single();
        Assert.Contains("archive_mode=on", container.Args);
        Assert.Contains("archive_command=pgbackrest archive-push %p", container.Args);
        Assert.StartsWith("cognive-postgres:", container.Image);

        var repository = container.VolumeMounts.Single(m => m.MountPath == "/var/lib/pgbackrest");
        var data = container.VolumeMounts.Single(m => m.MountPath == "/var/lib/postgresql");
        Assert.NotEqual(data.Name, repository.Name);
        Assert.Contains(postgres.Spec.VolumeClaimTemplates, claim => claim.Metadata.Name == repository.Name);

        var settings = tree.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "postgres-config").Data;
        Assert.Equal("/var/lib/pgbackrest", settings["PGBACKREST_REPO1_PATH"]);
        Assert.Equal("30", settings["PGBACKREST_REPO1_RETENTION_FULL"]);
    }

    [Fact]
    public void CronJobs_take_a_full_backup_daily_and_an_incremental_one_every_six_hours_through_exec_into_postgres_only()
    {
        var jobs = tree.OfType<V1CronJob>().Where(j => j.Metadata.Name.StartsWith("postgres-backup", StringComparison.Ordinal))
            .ToDictionary(j => j.Metadata.Name);
        Assert.Equal("0 1 * * *", jobs["postgres-backup-full"].Spec.Schedule);
        Assert.Equal("30 */6 * * *", jobs["postgres-backup-incremental"].Spec.Schedule);
        Assert.Contains("--type=full", string.Join(' ', jobs["postgres-backup-full"].Spec.JobTemplate.Spec.Template.Spec.Containers.Single().Command));
        Assert.Contains("--type=incr", string.Join(' ', jobs["postgres-backup-incremental"].Spec.JobTemplate.Spec.Template.Spec.Containers.Single().Command));

        var role = tree.OfType<V1Role>().Single(r => r.Metadata.Name == "postgres-backup");
        Assert.All(role.Rules, rule => Assert.Equal(["postgres-0"], rule.ResourceNames));
        Assert.Contains(role.Rules, rule => rule.Resources.SequenceEqual(["pods/exec"]) && rule.Verbs.SequenceEqual(["create"]));
    }
}
