using Cognive.Data;
using Cognive.Ingestion;
using Cognive.Tests.Infrastructure;
using Cognive.Workers.Ingestion;
using Npgsql;

namespace Cognive.Tests.Telemetry;

/// <summary>The workers' writer on the shared app's PostgreSQL, through a pool configured as the workers configure theirs.</summary>
public sealed class CallWriterTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task The_staging_table_outlives_each_batch_on_its_connection_and_every_batch_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("writer", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        var teamId = await team.TeamIdAsync(ct);
        var pool = new NpgsqlDataSourceBuilder(await _app.GetConnectionStringAsync("cognive", ct));
        pool.ConnectionStringBuilder.MaxPoolSize = 1; // every batch on the same connection
        await using var db = CallWriter.KeepStagingTable(pool.PrepareHotStatements()).Build();
        var writer = new CallWriter(db);
        LlmCallEvent Call() => new(Guid.CreateVersion7(), teamId, runId, agentId, "openai", "gpt-4o-mini", 100, 20, 0, 300, "success",
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

        var tables = new List<uint?>();
        for (var batch = 0; batch < 3; batch++)
        {
            await writer.StoreAsync([Call(), Call()], ct);
            tables.Add(await StagingTableAsync(db, ct));
        }

        Assert.NotNull(tables[0]);
        Assert.All(tables, table => Assert.Equal(tables[0], table));
        Assert.Equal(6, (await team.GetJsonAsync($"/api/v1/runs/{runId}", ct)).GetProperty("totals").GetProperty("calls").GetInt64());
    }

    /// <summary>The staging table this session sees (null when it has none): asked on the pool's one connection.</summary>
    private static async Task<uint?> StagingTableAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT to_regclass('pg_temp.llm_call_staging')::oid");
        return await command.ExecuteScalarAsync(ct) is uint oid ? oid : null;
    }
}
