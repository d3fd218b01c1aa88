using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Swarm;

/// <summary>The agent processes the AppHost runs join the swarm by themselves and do its work, each task as a run.</summary>
public sealed class SwarmAgentsTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task The_running_agents_complete_submitted_tasks_and_report_each_as_a_run()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = SwarmSession.OfTheAgents(_app);
        var (queen, api) = (swarm.Queen, swarm.Team.Client);

        var tasks = new List<Guid>();
        foreach (var type in new[] { "noop", "noop", "noop", "noop", "pricing" })
        {
            using var submitted = await queen.PostAsJsonAsync("/api/v1/swarm/tasks", new { type, priority = 5 }, ct);
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            tasks.Add((await TeamSession.ReadAsync(submitted, ct)).GetProperty("task_id").GetGuid());
        }

        var finished = new List<JsonElement>();
        await Eventually.HoldsAsync(async () =>
        {
            finished = [];
            foreach (var id in tasks)
            {
                using var read = await queen.GetAsync($"/api/v1/swarm/tasks/{id}", ct);
                finished.Add(await TeamSession.ReadAsync(read, ct));
            }

            return finished.All(t => t.GetProperty("state").GetString() == "done");
        }, "the agents complete every task", ct, TimeSpan.FromMinutes(2));
        // A replica slowed past the heartbeat timeout on a loaded machine is declared dead and joins again as a new
        // instance, so the replicas are live eventually, and each task names an instance of theirs, live or not.
        var instances = new List<JsonElement>();
        await Eventually.HoldsAsync(async () =>
        {
            using var listed = await queen.GetAsync("/api/v1/swarm/agents", ct);
            instances = [.. (await TeamSession.ReadAsync(listed, ct)).EnumerateArray()];
            return instances.Count(i => i.GetProperty("state").GetString() is "starting" or "idle" or "busy") >= 2;
        }, "both agent replicas are live instances", ct, TimeSpan.FromMinutes(1));
        var agentId = instances[0].GetProperty("agent_id").GetGuid();
        using var runsResponse = await api.GetAsync($"/api/v1/agents/{agentId}/runs?limit=200", ct);
        var runs = (await TeamSession.ReadAsync(runsResponse, ct)).GetProperty("items").EnumerateArray().ToList();

        Assert.All(finished, t => Assert.Contains(t.GetProperty("instance_id").GetGuid(), instances.Select(i => i.GetProperty("instance_id").GetGuid())));
        Assert.True(finished[^1].GetProperty("result").GetProperty("models").GetInt32() > 0, "the pricing specialist read the price table");
        Assert.True(runs.Count(r => r.GetProperty("status").GetString() == "succeeded") >= tasks.Count, "each task is a run of the agent");
    }
}
