using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Swarm;

/// <summary>
/// Real agent processes (the AppHost's "agents" replicas) failing under the queen: killed with SIGKILL, or paused with
/// SIGSTOP past their heartbeat window. Their tasks move on once, and whatever they report late is refused.
/// </summary>
public sealed class SwarmFailoverTests(SharedApp shared)
{
    private const int HeartbeatTimeoutSeconds = 10;
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_killed_agents_task_is_reassigned_once_its_stale_completion_is_refused_and_the_agent_is_restarted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = new SwarmAgentProcesses(_app);
        var (holder, task) = await LeasedByAnAgentAsync(swarm, holdMs: 6_000, ct);
        var staleToken = task.GetProperty("fencing_token").GetInt64();
        var taskId = task.GetProperty("id").GetGuid();
        var holderId = holder.GetProperty("instance_id").GetGuid();

        SwarmAgentProcesses.Signal(SwarmAgentProcesses.ProcessOf(holder)!.Value, "KILL");
        var done = await DoneAsync(swarm, taskId, ct);
        using var stale = await swarm.Queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{taskId}/complete",
            new { fencing_token = staleToken, result = new { from = "the killed agent" } }, ct);
        var afterStale = await swarm.TaskAsync(taskId, ct);
        var dead = await swarm.InstanceAsync(holderId, ct);

        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.NotEqual(holderId, done.GetProperty("instance_id").GetGuid());
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(("done", 1, done.GetProperty("result").GetRawText()),
            (afterStale.GetProperty("state").GetString(), afterStale.GetProperty("stale_outcomes").GetInt32(), afterStale.GetProperty("result").GetRawText()));
        Assert.Equal("dead", dead.GetProperty("failure_reason").GetString());
        // Dead for its silence, not before the window ends, and at the queen's next sweep (1 s) after it, give or take a
        // busy machine.
        var silence = dead.GetProperty("failed_at").GetDateTimeOffset() - dead.GetProperty("last_heartbeat_at").GetDateTimeOffset();
        Assert.InRange(silence, TimeSpan.FromSeconds(HeartbeatTimeoutSeconds), TimeSpan.FromSeconds(HeartbeatTimeoutSeconds + 5));

        // After the grace period the queen restarts the replica through the AppHost; it comes back as the same instance.
        JsonElement restart = default;
        await Eventually.HoldsAsync(async () =>
        {
            restart = (await swarm.RecoveriesAsync(ct)).LastOrDefault(r => r.GetProperty("instance_id").GetGuid() == holderId);
            return restart.ValueKind == JsonValueKind.Object && restart.GetProperty("outcome").GetString() != "started";
        }, "the queen acts on the dead agent", ct, TimeSpan.FromMinutes(2));
        Assert.Equal(("restart", "succeeded", 1), (restart.GetProperty("action").GetString(), restart.GetProperty("outcome").GetString(),
            restart.GetProperty("attempt").GetInt32()));
        await Eventually.HoldsAsync(async () => SwarmAgentProcesses.IsLive(await swarm.InstanceAsync(holderId, ct)),
            "the restarted agent joins again as the same instance", ct, TimeSpan.FromMinutes(2));
        Assert.True((await swarm.InstanceAsync(holderId, ct)).GetProperty("recoveries").GetInt32() >= 1);
        Assert.True(await swarm.AuditCountAsync("swarm.recovery.restart", ct) >= 1, "the restart is in the audit trail");
        using var stats = await swarm.Queen.GetAsync("/api/v1/swarm/stats", ct);
        Assert.True((await TeamSession.ReadAsync(stats, ct)).GetProperty("recoveries").GetProperty("restart").GetProperty("succeeded").GetInt64() >= 1,
            "the stats count the restart");
    }

    [Fact]
    public async Task A_paused_agents_late_completion_is_refused_and_the_task_is_done_once_by_another()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = new SwarmAgentProcesses(_app);
        var startedAt = DateTimeOffset.UtcNow;
        var (holder, task) = await LeasedByAnAgentAsync(swarm, holdMs: 4_000, ct);
        var taskId = task.GetProperty("id").GetGuid();
        var holderId = holder.GetProperty("instance_id").GetGuid();
        var pid = SwarmAgentProcesses.ProcessOf(holder)!.Value;

        SwarmAgentProcesses.Signal(pid, "STOP");
        try
        {
            // Silent past the heartbeat window: declared dead, its lease fails over to the other agent.
            await Eventually.HoldsAsync(async () => (await swarm.TaskAsync(taskId, ct)).GetProperty("attempts").GetInt32() == 2,
                "the paused agent's task is leased again", ct, TimeSpan.FromMinutes(1));
        }
        finally
        {
            SwarmAgentProcesses.Signal(pid, "CONT");
        }

        // Resumed, it finishes its (long lapsed) attempt and reports it: refused, and counted on the task.
        await Eventually.HoldsAsync(async () =>
        {
            var current = await swarm.TaskAsync(taskId, ct);
            return current.GetProperty("state").GetString() == "done" && current.GetProperty("stale_outcomes").GetInt32() >= 1;
        }, "the task is done and the paused agent's late completion was refused", ct, TimeSpan.FromMinutes(1));
        var done = await swarm.TaskAsync(taskId, ct);
        await Eventually.HoldsAsync(async () => SwarmAgentProcesses.IsLive(await swarm.InstanceAsync(holderId, ct)),
            "the resumed agent joins again by itself", ct);

        Assert.Equal((2, 1), (done.GetProperty("attempts").GetInt32(), done.GetProperty("stale_outcomes").GetInt32()));
        Assert.NotEqual(holderId, done.GetProperty("instance_id").GetGuid());
        Assert.DoesNotContain(await swarm.RecoveriesAsync(ct), r => r.GetProperty("instance_id").GetGuid() == holderId &&
            r.GetProperty("decided_at").GetDateTimeOffset() > startedAt && r.GetProperty("action").GetString() != "quarantine");
    }

    /// <summary>Waits for both agents to be live, submits a task that holds its agent for a while, and returns who leased it.</summary>
    private static async Task<(JsonElement Holder, JsonElement Task)> LeasedByAnAgentAsync(SwarmAgentProcesses swarm, int holdMs, CancellationToken ct)
    {
        await Eventually.HoldsAsync(async () => (await swarm.LiveAsync("agents", ct)).Count >= 2, "both agent replicas are live", ct,
            TimeSpan.FromMinutes(2));
        var taskId = await swarm.SubmitAsync(new { type = "noop", priority = 9, payload = new { hold_ms = holdMs } }, ct);
        JsonElement task = default;
        await Eventually.HoldsAsync(async () =>
        {
            task = await swarm.TaskAsync(taskId, ct);
            return task.GetProperty("state").GetString() == "leased";
        }, "an agent leases the task", ct);
        return (await swarm.InstanceAsync(task.GetProperty("instance_id").GetGuid(), ct), task);
    }

    private static async Task<JsonElement> DoneAsync(SwarmAgentProcesses swarm, Guid taskId, CancellationToken ct)
    {
        JsonElement task = default;
        await Eventually.HoldsAsync(async () =>
        {
            task = await swarm.TaskAsync(taskId, ct);
            return task.GetProperty("state").GetString() == "done";
        }, "the task is done", ct, TimeSpan.FromMinutes(1));
        return task;
    }
}
