using Cognive.Gateway.Otlp;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Gateway;

/// <summary>
/// The runs OTLP traces become, against the shared app's PostgreSQL: a trace's root span ends its run, whether it comes with
/// the trace's first calls or later to another gateway replica (one that never saw the trace), and only the run of that
/// team and trace.
/// </summary>
public sealed class OtlpRunsTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Runs_end_with_their_roots_status_at_creation_or_on_a_replica_that_never_saw_the_trace_and_others_keep_running()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var teamId = await team.TeamIdAsync(ct);
        var agentId = await team.RegisterAgentAsync($"otel-{Guid.NewGuid():N}", ct);
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());
        var (failedTrace, succeededTrace, openTrace, wholeTrace) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var endedAt = startedAt.AddSeconds(30);
        var runs = await new OtlpRuns(db).ResolveAsync(teamId,
            [new(failedTrace, agentId, startedAt), new(succeededTrace, agentId, startedAt), new(openTrace, agentId, startedAt),
                new(wholeTrace, agentId, startedAt)],
            [new(wholeTrace, Failed: true, endedAt)], ct);

        var otherReplica = new OtlpRuns(db);
        Assert.Empty(await otherReplica.ResolveAsync(teamId, [],
            [new(failedTrace, Failed: true, endedAt), new(succeededTrace, Failed: false, endedAt), new(Guid.NewGuid(), Failed: false, endedAt)], ct));

        var failed = await team.GetJsonAsync($"/api/v1/runs/{runs[failedTrace]}", ct);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(endedAt, failed.GetProperty("ended_at").GetDateTimeOffset());
        var succeeded = await team.GetJsonAsync($"/api/v1/runs/{runs[succeededTrace]}", ct);
        Assert.Equal("succeeded", succeeded.GetProperty("status").GetString());
        var whole = await team.GetJsonAsync($"/api/v1/runs/{runs[wholeTrace]}", ct);
        Assert.Equal("failed", whole.GetProperty("status").GetString());
        Assert.Equal(endedAt, whole.GetProperty("ended_at").GetDateTimeOffset());
        var open = await team.GetJsonAsync($"/api/v1/runs/{runs[openTrace]}", ct);
        Assert.Equal("running", open.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, open.GetProperty("ended_at").ValueKind);
    }

    [Fact]
    public async Task A_root_of_another_teams_trace_ends_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        var ownerId = await owner.TeamIdAsync(ct);
        var agentId = await owner.RegisterAgentAsync($"otel-{Guid.NewGuid():N}", ct);
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        var traceId = Guid.NewGuid();
        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var runs = await new OtlpRuns(db).ResolveAsync(ownerId, [new(traceId, agentId, startedAt)], [], ct);

        await new OtlpRuns(db).ResolveAsync(await other.TeamIdAsync(ct), [], [new(traceId, Failed: true, startedAt.AddSeconds(1))], ct);

        var run = await owner.GetJsonAsync($"/api/v1/runs/{runs[traceId]}", ct);
        Assert.Equal("running", run.GetProperty("status").GetString());
    }
}
