using System.Collections.Concurrent;
using System.Net;
using Cognive.Backups;
using Cognive.Hosting.Postgres;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Backups;

/// <summary>
/// The disaster-recovery drill against real servers in a state folder of its own: WAL archived continuously, a full backup
/// from the dashboard command, a restore to a point in time with scripts/backup.sh while Cognive is stopped.
/// </summary>
[Collection(BootsOwnAppHost.Name)]
public sealed class BackupDrillTests
{
    [Fact]
    public async Task Restore_to_a_point_in_time_keeps_every_call_stored_before_it_once_and_none_after()
    {
        var ct = TestContext.Current.CancellationToken;
        using var state = new TestStateFolder();
        HashSet<Guid> beforeT, afterT;
        Guid teamId;
        string t;
        var app = await CogniveApp.StartAsync(state.Path, [], CogniveApp.IngestionServices, ct);
        try
        {
            using var team = await TeamSession.CreateAsync(app, ct);
            teamId = await team.TeamIdAsync(ct);
            var run = await team.StartRunOfNewAgentAsync(ct);
            await using var db = NpgsqlDataSource.Create(await app.GetConnectionStringAsync("cognive", ct));

            await using var calls = await PipelineStore.OpenAsync(app, ct);
            await IngestAsync(team, run, calls, teamId, batches: 3, ct);
            // The first backup is a full one; calls go on arriving while it runs.
            var during = IngestAsync(team, run, calls, teamId, batches: 3, ct);
            var backup = await app.App.ResourceCommands.ExecuteCommandAsync("postgres", LocalPostgresBackups.BackUpCommand, ct);
            Assert.True(backup.Success, backup.Message);
            await during;
            var verify = await app.App.ResourceCommands.ExecuteCommandAsync("postgres", LocalPostgresBackups.VerifyCommand, ct);
            Assert.True(verify.Success, verify.Message);

            // Ingesting goes on after the backup; T is taken once what was accepted is stored, so "before T" is exact.
            beforeT = await IngestAsync(team, run, calls, teamId, batches: 3, ct);
            t = (string)(await db.CreateCommand("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
                .ExecuteScalarAsync(ct))!;
            await Eventually.HoldsAsync(async () => (bool)(await db.CreateCommand($"SELECT clock_timestamp() > '{t}'::timestamptz + interval '10 ms'")
                .ExecuteScalarAsync(ct))!, "the clock passes T", ct);
            var all = await IngestAsync(team, run, calls, teamId, batches: 3, ct);
            afterT = all.Except(beforeT).ToHashSet();
            Assert.NotEmpty(afterT);

            // The disaster: the team's calls deleted. Then every WAL written so far reaches the archive.
            await db.CreateCommand($"DELETE FROM llm_calls WHERE team_id = '{teamId}'").ExecuteNonQueryAsync(ct);
            await ArchiveEverythingAsync(await app.GetConnectionStringAsync("cognive", ct), ct);
        }
        finally
        {
            await app.DisposeAsync();
        }

        Assert.Empty(await ServerProcesses.WaitUntilNoneUseAsync(state.Path, TimeSpan.FromMinutes(1)));
        var restored = await BackupScriptRunner.RunAsync(state.Path, ct, "restore", "--to", t);
        Assert.Contains("recovery stopping before", restored);

        await using var back = await CogniveApp.StartAsync(state.Path, [], CogniveApp.IngestionServices, ct);
        await using var store = await PipelineStore.OpenAsync(back, ct);
        var stored = await store.EventIdsAsync(teamId, ct);
        Assert.True(stored.SetEquals(beforeT), $"{stored.Count} calls after the restore, {beforeT.Count} stored before T; " +
            $"{stored.Intersect(afterT).Count()} of those stored after T");
        var report = await IntegrityChecks.RunAsync(await back.GetConnectionStringAsync("cognive", ct),
            await back.Resources.OfType<ParameterResource>().Single(p => p.Name == "audit-signing-key").GetValueAsync(ct), ct);
        Assert.True(report.Passed, report.Describe());

        // The services ingest again.
        using var again = await TeamSession.CreateAsync(back, ct);
        var newRun = await again.StartRunOfNewAgentAsync(ct);
        using var response = await again.PostCallAsync(newRun, TeamSession.Call(), ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await again.WaitForRunCallsAsync(newRun, 1, ct);
    }

    [Fact]
    public async Task A_new_state_folder_with_a_copy_of_the_repository_starts_from_the_latest_backup_and_archived_WAL()
    {
        var ct = TestContext.Current.CancellationToken;
        using var lost = new TestStateFolder();
        using var replacement = new TestStateFolder();
        HashSet<Guid> stored;
        Guid teamId;
        await using (var app = await CogniveApp.StartAsync(lost.Path, [], CogniveApp.IngestionServices, ct))
        {
            using var team = await TeamSession.CreateAsync(app, ct);
            teamId = await team.TeamIdAsync(ct);
            var run = await team.StartRunOfNewAgentAsync(ct);
            await using var calls = await PipelineStore.OpenAsync(app, ct);
            await IngestAsync(team, run, calls, teamId, batches: 2, ct);
            var backup = await app.App.ResourceCommands.ExecuteCommandAsync("postgres", LocalPostgresBackups.BackUpCommand, ct);
            Assert.True(backup.Success, backup.Message);
            // Calls after the backup reach the new machine through the archived WAL only.
            stored = await IngestAsync(team, run, calls, teamId, batches: 2, ct);
            await ArchiveEverythingAsync(await app.GetConnectionStringAsync("cognive", ct), ct);
        }

        // What an operator keeps off the machine: the repository and the secrets (the audit key, the servers' passwords).
        CopyFolder(Path.Combine(lost.Path, "backups"), Path.Combine(replacement.Path, "backups"));
        File.Copy(Path.Combine(lost.Path, "secrets.json"), Path.Combine(replacement.Path, "secrets.json"));

        await using var back = await CogniveApp.StartAsync(replacement.Path, [], CogniveApp.IngestionServices, ct);
        await using var store = await PipelineStore.OpenAsync(back, ct);
        Assert.True((await store.EventIdsAsync(teamId, ct)).SetEquals(stored), "every call stored on the lost machine is back");
        var report = await IntegrityChecks.RunAsync(await back.GetConnectionStringAsync("cognive", ct),
            await back.Resources.OfType<ParameterResource>().Single(p => p.Name == "audit-signing-key").GetValueAsync(ct), ct);
        Assert.True(report.Passed, report.Describe());
    }

    /// <summary>Ends the current WAL segment and waits until the archive has it, so everything written so far is restorable.</summary>
    private static async Task ArchiveEverythingAsync(string connectionString, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        var segment = (string)(await db.CreateCommand("SELECT pg_walfile_name(pg_switch_wal())").ExecuteScalarAsync(ct))!;
        await Eventually.HoldsAsync(async () => string.CompareOrdinal(
                (await db.CreateCommand("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").ExecuteScalarAsync(ct)) as string, segment) >= 0,
            $"WAL segment {segment} is archived", ct);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Posts batches of calls and waits until the team's stored calls are exactly what was accepted; returns them all.</summary>
    private static async Task<HashSet<Guid>> IngestAsync(TeamSession team, Guid run, PipelineStore calls, Guid teamId, int batches,
        CancellationToken ct)
    {
        var accepted = new ConcurrentBag<Guid>(await calls.EventIdsAsync(teamId, ct));
        for (var b = 0; b < batches; b++)
        {
            var ids = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid()).ToList();
            using var response = await team.PostBatchAsync(ids.Select(id => TeamSession.Call(eventId: id, runId: run)), ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.ForEach(accepted.Add);
        }

        var expected = accepted.ToHashSet();
        await Eventually.HoldsAsync(async () => (await calls.EventIdsAsync(teamId, ct)).SetEquals(expected),
            $"the {expected.Count} accepted calls are stored", ct);
        return expected;
    }
}
