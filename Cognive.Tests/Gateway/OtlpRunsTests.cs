using Cognive.Gateway.Otlp;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Gateway;

/// <summary>
/// The runs OTLP traces become, against the shared app's PostgreSQL: a trace's root span ends its run even when another
/// gateway replica (one that never saw the trace) receives the root, and only the run of that team and trace.
/// </summary>
public sealed class OtlpRunsTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_replica_that_never_saw_a_trace_ends_its_run_with_the_roots_status_and_leaves_other_runs_running()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var teamId = await team.TeamIdAsync(ct);
        var agentId = await team.RegisterAgentAsync($"otel-{Guid.NewGuid():N}", ct);
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());
        var (failedTrace, succeededTrace, openTrace) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var runs = await new OtlpRuns(db).ResolveAsync(teamId,
            [new(failedTrace, agentId, startedAt), new(succeededTrace, agentId, startedAt), new(openTrace, agentId, startedAt)], ct);

        var endedAt = startedAt.AddSeconds(30);
        await new OtlpRuns(db).EndAsync(teamId,
            [new(failedTrace, Failed: true, endedAt), new(succeededTrace, Failed: false, endedAt), new(Guid.NewGuid(), Failed: false, endedAt)], ct);

        var failed = await team.GetJsonAsync($"/api/v1/runs/{runs[failedTrace]}", ct);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(endedAt, failed.GetProperty("ended_at").GetDateTimeOffset());
        var succeeded = await team.GetJsonAsync($"/api/v1/runs/{runs[succeededTrace]}", ct);
        Assert.Equal("succeeded", succeeded.GetProperty("status").GetString());
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
        var runs = await new OtlpRuns(db).ResolveAsync(ownerId, [new(traceId, agentId, startedAt)], ct);

        await new OtlpRuns(db).EndAsync(await other.TeamIdAsync(ct), [new(traceId, Failed: true, startedAt.AddSeconds(1))], ct);

        var run = await owner.GetJsonAsync($"/api/v1/runs/{runs[traceId]}", ct);
        Assert.Equal("running", run.GetProperty("status").GetString());
    }
}
