using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Foundation;

/// <summary>Boots of their own: what a second run finds, and what a stopped run leaves behind.</summary>
[Collection(BootsOwnAppHost.Name)]
public sealed class StateFolderTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Data_persists_across_boots_and_no_server_process_survives_disposal()
    {
        var ct = TestContext.Current.CancellationToken;
        using var state = new TestStateFolder();
        var marker = Guid.NewGuid().ToString("N");

        List<int> serverPids;
        await using (var first = await CogniveApp.StartAsync(state.Path, [], services: [], ct))
        {
            var servers = new BackingServers(first);
            await servers.WritePostgresAsync(marker, ct);
            await servers.WriteRedisAsync(marker, ct);
            await servers.PublishAsync(marker, ct);
            serverPids = ServerProcesses.UsingStateFolder(state.Path).ToList();
        }

        Assert.NotEmpty(serverPids);
        Assert.Empty(await ServerProcesses.WaitUntilNoneUseAsync(state.Path, ShutdownTimeout));
        Assert.DoesNotContain(serverPids, ServerProcesses.IsAlive);

        await using (var second = await CogniveApp.StartAsync(state.Path, [], services: [], ct))
        {
            var servers = new BackingServers(second);
            Assert.True(await servers.PostgresHasAsync(marker, ct));
            Assert.Equal(marker, await servers.ReadRedisAsync(marker, ct));
            Assert.Equal(marker, await servers.ConsumeAsync(marker, TimeSpan.FromSeconds(30), ct));
        }

        Assert.Empty(await ServerProcesses.WaitUntilNoneUseAsync(state.Path, ShutdownTimeout));
    }

    [Fact]
    public async Task A_corrupt_postgres_data_folder_stops_the_initialiser_with_a_message()
    {
        var ct = TestContext.Current.CancellationToken;
        using var state = new TestStateFolder();
        var data = Directory.CreateDirectory(Path.Combine(state.Path, "postgres", "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "postmaster.pid"), "12345", ct);

        await using (var app = await CogniveApp.BuildAsync(state.Path, [], ct))
        {
            await app.StartAsync(ct).WaitAsync(CogniveApp.BootTimeout, ct);
            var finished = await app.ResourceNotifications
                .WaitForResourceAsync("postgres-init", e => e.Snapshot.State?.Text == KnownResourceStates.Finished, ct)
                .WaitAsync(CogniveApp.BootTimeout, ct);

            Assert.NotEqual(0, finished.Snapshot.ExitCode);
            var log = await ResourceLog.ReadAsync(app, finished.ResourceId, "PG_VERSION is missing", CogniveApp.BootTimeout, ct);
            Assert.Contains("is not a PostgreSQL data folder", log);
            Assert.Contains("--Cognive:StateDir", log);
        }

        Assert.Empty(await ServerProcesses.WaitUntilNoneUseAsync(state.Path, ShutdownTimeout));
    }
}
