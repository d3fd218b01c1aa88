using Cognive.Gateway;
using Cognive.Gateway.Calls;
using Cognive.Gateway.Otlp;
using Cognive.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenAI.Chat;

namespace Cognive.Tests.Gateway;

/// <summary>
/// The runs the gateway makes: one run of the day per agent however many replicas forward its calls (replicas played
/// here by several <see cref="DailyRuns"/> over the app's database, beside the running gateway), and OTLP's trace → run
/// keys pruned past their retention.
/// </summary>
public sealed class GatewayRunsTests(SharedApp shared, UpstreamFixture fixture) : IClassFixture<UpstreamFixture>
{
    private readonly CogniveApp _app = shared.App;
    private readonly FakeUpstream _upstream = fixture.Upstream;

    [Fact]
    public async Task Calls_naming_only_their_agent_share_one_run_of_the_day_across_gateway_replicas()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, "sk-daily-runs", ct);
        var teamId = await team.Session.TeamIdAsync(ct);
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        var replicas = Enumerable.Range(0, 4).Select(_ => new DailyRuns(db, TimeProvider.System)).ToArray();

        var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => replicas[i % replicas.Length].OfTodayAsync(teamId, team.AgentId, ct)));
        await team.Chat(byAgent: true).CompleteChatAsync([new UserChatMessage($"daily-{Guid.NewGuid():N}")], cancellationToken: ct);

        var run = Assert.Single(runs.Distinct());
        Assert.NotNull(run);
        await team.Session.WaitForRunCallsAsync(run.Value, 1, ct);
        var gatewayRuns = (await team.Session.GetJsonAsync($"/api/v1/agents/{team.AgentId}/runs", ct)).GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("run_id").GetGuid() != team.RunId).ToList();
        Assert.Equal(run.Value, Assert.Single(gatewayRuns).GetProperty("run_id").GetGuid());
        Assert.Null(await replicas[0].OfTodayAsync(teamId, Guid.NewGuid(), ct)); // no agent of the team: no run
    }

    [Fact]
    public async Task Trace_run_keys_older_than_their_retention_are_pruned_and_newer_ones_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        var teamId = Guid.NewGuid();
        var (old, fresh) = (Guid.NewGuid(), Guid.NewGuid());
        await using (var insert = db.CreateCommand("""
            INSERT INTO otel_trace_runs (team_id, trace_id, run_id, created_at)
            VALUES ($1, $2, gen_random_uuid(), now() - interval '8 days'), ($1, $3, gen_random_uuid(), now() - interval '6 days')
            """))
        {
            insert.Parameters.Add(new() { Value = teamId });
            insert.Parameters.Add(new() { Value = old });
            insert.Parameters.Add(new() { Value = fresh });
            await insert.ExecuteNonQueryAsync(ct);
        }

        var pruner = new TraceRunPruner(db, Options.Create(new GatewayOptions { TraceRunRetentionDays = 7 }), TimeProvider.System,
            NullLogger<TraceRunPruner>.Instance);
        var pruned = await pruner.PruneAsync(ct);

        await using var left = db.CreateCommand("SELECT trace_id FROM otel_trace_runs WHERE team_id = $1");
        left.Parameters.Add(new() { Value = teamId });
        await using var reader = await left.ExecuteReaderAsync(ct);
        Assert.True(await reader.ReadAsync(ct));
        Assert.Equal(fresh, reader.GetGuid(0));
        Assert.False(await reader.ReadAsync(ct));
        Assert.True(pruned >= 1);
        await using var cleanup = db.CreateCommand("DELETE FROM otel_trace_runs WHERE team_id = $1");
        cleanup.Parameters.Add(new() { Value = teamId });
        await reader.DisposeAsync();
        await cleanup.ExecuteNonQueryAsync(ct);
    }
}
