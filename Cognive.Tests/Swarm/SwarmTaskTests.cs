using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Data.Audit;
using Cognive.SwarmQueen.Instances;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Swarm;

/// <summary>The queen's task queue: priority, capabilities, leases with fencing tokens, retries, dead instances.</summary>
public sealed class SwarmTaskTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Tasks_go_by_priority_to_instances_that_can_run_them_and_complete_once_each()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var general = await swarm.RegisterInstanceAsync(["noop"], ct);
        var gpu = await swarm.RegisterInstanceAsync(["noop", "gpu"], ct);
        var low = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => swarm.SubmitAsync(new { type = "noop", priority = 1 }, ct)));
        var high = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => swarm.SubmitAsync(new { type = "noop", priority = 9 }, ct)));
        var needsGpu = await swarm.SubmitAsync(new { type = "noop", priority = 5, required_capabilities = new[] { "gpu" } }, ct);

        var taken = new List<(Guid Instance, Guid Task, int Priority)>();
        foreach (var instance in new[] { general, general, general, general, general, gpu, gpu })
        {
            if (await swarm.LeaseAsync(instance, ct) is { } task)
            {
                taken.Add((instance, task.GetProperty("id").GetGuid(), task.GetProperty("priority").GetInt32()));
                using var done = await swarm.CompleteAsync(task.GetProperty("id").GetGuid(), task.GetProperty("fencing_token").GetInt64(), ct);
                Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
            }
        }

        var states = await Task.WhenAll(low.Concat(high).Append(needsGpu).Select(id => swarm.TaskAsync(id, ct)));

        Assert.Equal([9, 9, 1, 1, 1], taken.Where(t => t.Instance == general).Select(t => t.Priority));
        Assert.Equal([(gpu, needsGpu)], taken.Where(t => t.Instance == gpu).Select(t => (t.Instance, t.Task)));
        Assert.Equal(6, taken.Select(t => t.Task).Distinct().Count());
        Assert.All(states, s => Assert.Equal(("done", 1), (s.GetProperty("state").GetString(), s.GetProperty("attempts").GetInt32())));

        using var statsResponse = await swarm.Queen.GetAsync("/api/v1/swarm/stats", ct);
        var stats = await TeamSession.ReadAsync(statsResponse, ct);
        var byPriority = stats.GetProperty("tasks").EnumerateArray()
            .ToDictionary(g => g.GetProperty("priority").GetInt32(), g => (g.GetProperty("state").GetString(), g.GetProperty("tasks").GetInt64()));
        Assert.Equal(new Dictionary<int, (string?, long)> { [9] = ("done", 2), [5] = ("done", 1), [1] = ("done", 3) }, byPriority);
        Assert.Equal(2, stats.GetProperty("instances").GetProperty("idle").GetInt64());
        Assert.All(stats.GetProperty("tasks").EnumerateArray(), g => Assert.True(g.GetProperty("run_p95_seconds").GetDouble() >= 0));
    }

    [Fact]
    public async Task A_lapsed_lease_goes_to_another_instance_and_the_old_holders_late_completion_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var slow = await swarm.RegisterInstanceAsync(["noop"], ct);
        var rescuer = await swarm.RegisterInstanceAsync(["noop"], ct);
        var taskId = await swarm.SubmitAsync(new { type = "noop" }, ct);

        var first = (await swarm.LeaseAsync(slow, ct, leaseSeconds: 1))!.Value;
        JsonElement? second = null;
        await Eventually.HoldsAsync(async () => (second = await swarm.LeaseAsync(rescuer, ct)) is not null,
            "the lapsed task is leased again", ct);
        using var late = await swarm.CompleteAsync(taskId, first.GetProperty("fencing_token").GetInt64(), ct);
        using var onTime = await swarm.CompleteAsync(taskId, second!.Value.GetProperty("fencing_token").GetInt64(), ct);
        var task = await swarm.TaskAsync(taskId, ct);

        Assert.Equal(taskId, second.Value.GetProperty("id").GetGuid());
        Assert.True(second.Value.GetProperty("fencing_token").GetInt64() > first.GetProperty("fencing_token").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NoContent, onTime.StatusCode);
        Assert.Equal(("done", 2, rescuer), (task.GetProperty("state").GetString(), task.GetProperty("attempts").GetInt32(),
            task.GetProperty("instance_id").GetGuid()));
    }

    [Fact]
    public async Task A_silent_instance_is_declared_dead_and_its_task_is_taken_over()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var silent = await swarm.RegisterInstanceAsync(["noop"], ct);
        var alive = await swarm.RegisterInstanceAsync(["noop"], ct);
        var taskId = await swarm.SubmitAsync(new { type = "noop" }, ct);
        var held = (await swarm.LeaseAsync(silent, ct, leaseSeconds: 600))!.Value;

        JsonElement? takenOver = null;
        await Eventually.HoldsAsync(async () =>
        {
            using var beat = await swarm.Queen.PostAsync($"/api/v1/swarm/agents/{alive}/heartbeat", null, ct);
            return (takenOver = await swarm.LeaseAsync(alive, ct)) is not null;
        }, "the silent instance's task is taken over", ct);
        using var instances = await swarm.Queen.GetAsync("/api/v1/swarm/agents", ct);
        var states = (await TeamSession.ReadAsync(instances, ct)).EnumerateArray()
            .ToDictionary(i => i.GetProperty("instance_id").GetGuid(), i => i.GetProperty("state").GetString());
        using var beatAfterDeath = await swarm.Queen.PostAsync($"/api/v1/swarm/agents/{silent}/heartbeat", null, ct);

        Assert.Equal(taskId, takenOver!.Value.GetProperty("id").GetGuid());
        Assert.Equal("dead", states[silent]);
        Assert.Equal(HttpStatusCode.NotFound, beatAfterDeath.StatusCode);
        Assert.Equal(held.GetProperty("fencing_token").GetInt64() + 1, takenOver.Value.GetProperty("fencing_token").GetInt64());
    }

    [Fact]
    public async Task An_instance_is_busy_while_it_holds_a_lease_and_idle_once_it_is_done_without_waiting_for_a_heartbeat()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var instanceId = await swarm.RegisterInstanceAsync(["noop"], ct);
        await swarm.SubmitAsync(new { type = "noop" }, ct);

        var leased = (await swarm.LeaseAsync(instanceId, ct))!.Value;
        var whileLeased = await InstanceStateAsync(swarm, ct);
        using var done = await swarm.CompleteAsync(leased.GetProperty("id").GetGuid(), leased.GetProperty("fencing_token").GetInt64(), ct);
        var afterwards = await InstanceStateAsync(swarm, ct);

        Assert.Equal(("busy", 1L), whileLeased);
        Assert.Equal(("idle", 0L), afterwards);
    }

    private static async Task<(string? State, long Load)> InstanceStateAsync(SwarmSession swarm, CancellationToken ct)
    {
        using var response = await swarm.Queen.GetAsync("/api/v1/swarm/agents", ct);
        var instance = (await TeamSession.ReadAsync(response, ct)).EnumerateArray().Single();
        return (instance.GetProperty("state").GetString(), instance.GetProperty("load").GetInt64());
    }

    [Theory]
    [InlineData("kind", "a/b")]
    [InlineData("host", "has space")]
    [InlineData("readiness_url", "http://10.0.0.7:8080/health/readiness")]
    [InlineData("readiness_url", "http://169.254.169.254/health/readiness")]
    [InlineData("readiness_url", "http://127.0.0.1:8080/admin")]
    [InlineData("readiness_url", "file:///etc/passwd")]
    public async Task A_bad_registration_is_refused_with_the_field_named(string field, string value)
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var registration = new Dictionary<string, object>
        {
            ["agent_id"] = await swarm.Team.RegisterAgentAsync("registering", ct), ["capabilities"] = new[] { "noop" }, ["version"] = "1",
            [field] = value,
        };

        using var response = await swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/agents/{Guid.NewGuid()}", registration, ct);
        var problem = await TeamSession.ReadAsync(response, ct);
        using var instances = await swarm.Queen.GetAsync("/api/v1/swarm/agents", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, (await TeamSession.ReadAsync(instances, ct)).GetArrayLength());
    }

    [Fact]
    public async Task Instances_gone_for_longer_than_the_retention_are_forgotten_and_no_others()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var (leftLongAgo, deadLongAgo, recoveryDue, leftRecently, live) = (await swarm.RegisterInstanceAsync(["noop"], ct),
            await swarm.RegisterInstanceAsync(["noop"], ct), await swarm.RegisterInstanceAsync(["noop"], ct),
            await swarm.RegisterInstanceAsync(["noop"], ct), await swarm.RegisterInstanceAsync(["noop"], ct));
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        await using (var batch = db.CreateBatch())
        {
            void Set(Guid instanceId, string columns) => batch.BatchCommands.Add(
                new($"UPDATE swarm_instances SET {columns} WHERE id = $1") { Parameters = { new() { Value = instanceId } } });
            Set(leftLongAgo, "state = 'Left', left_at = now() - interval '2 days'");
            Set(deadLongAgo, "state = 'Dead', failed_at = now() - interval '2 days'");
            Set(recoveryDue, "state = 'Dead', failed_at = now() - interval '2 days', recovery_due_at = now() + interval '1 hour'");
            Set(leftRecently, "state = 'Left', left_at = now() - interval '1 hour'");
            await batch.ExecuteNonQueryAsync(ct);
        }

        await new InstanceRegistry(db, new AuditSealer(await AuditKeys.OfAsync(_app, ct), TimeProvider.System)).ForgetDepartedAsync(TimeSpan.FromDays(1), ct);
        using var instances = await swarm.Queen.GetAsync("/api/v1/swarm/agents", ct);
        var remaining = (await TeamSession.ReadAsync(instances, ct)).EnumerateArray().Select(i => i.GetProperty("instance_id").GetGuid());

        Assert.Equal(new[] { recoveryDue, leftRecently, live }.Order(), remaining.Order());
    }

    [Fact]
    public async Task A_task_that_keeps_failing_is_retried_then_dead()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var instance = await swarm.RegisterInstanceAsync(["noop"], ct);
        var taskId = await swarm.SubmitAsync(new { type = "noop", max_attempts = 2 }, ct);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            JsonElement? leased = null;
            await Eventually.HoldsAsync(async () => (leased = await swarm.LeaseAsync(instance, ct)) is not null,
                $"attempt {attempt} is handed out after its backoff", ct);
            using var failed = await swarm.Queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{taskId}/fail",
                new { fencing_token = leased!.Value.GetProperty("fencing_token").GetInt64(), error = $"boom {attempt}" }, ct);
            Assert.Equal(HttpStatusCode.NoContent, failed.StatusCode);
        }

        var task = await swarm.TaskAsync(taskId, ct);
        Assert.Equal(("dead", 2, "boom 2"), (task.GetProperty("state").GetString(), task.GetProperty("attempts").GetInt32(),
            task.GetProperty("error").GetString()));
        Assert.Null(await swarm.LeaseAsync(instance, ct));
    }

    [Fact]
    public async Task The_same_idempotency_key_gives_the_same_task()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);

        var first = await swarm.SubmitAsync(new { type = "noop", idempotency_key = "nightly-2026-11-26" }, ct);
        var again = await swarm.SubmitAsync(new { type = "noop", idempotency_key = "nightly-2026-11-26" }, ct);

        Assert.Equal(first, again);
    }

    [Theory]
    [InlineData("""{"type":"no-such-type"}""", "type")]
    [InlineData("""{"type":"noop","priority":10}""", "priority")]
    [InlineData("""{"type":"noop","max_attempts":0}""", "max_attempts")]
    [InlineData("""{"type":"noop","deadline":"2020-01-01T00:00:00Z"}""", "deadline")]
    [InlineData("""{"priority":3}""", "type")]
    public async Task A_bad_task_is_refused_with_the_field_named(string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);

        using var response = await swarm.Queen.PostAsync("/api/v1/swarm/tasks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await TeamSession.ReadAsync(response, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
    }

    [Fact]
    public async Task A_too_large_payload_another_teams_task_and_no_credential_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        var taskId = await owner.SubmitAsync(new { type = "noop" }, ct);
        using var anonymous = _app.App.CreateHttpClient("swarm-queen", "http");

        using var tooLarge = await owner.Queen.PostAsJsonAsync("/api/v1/swarm/tasks", new { type = "noop", payload = new { text = new string('x', 70_000) } }, ct);
        using var foreign = await other.Queen.GetAsync($"/api/v1/swarm/tasks/{taskId}", ct);
        using var foreignCancel = await other.Queen.PostAsync($"/api/v1/swarm/tasks/{taskId}/cancel", null, ct);
        using var unauthenticated = await anonymous.GetAsync($"/api/v1/swarm/tasks/{taskId}", ct);

        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignCancel.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal("application/problem+json", unauthenticated.Content.Headers.ContentType?.MediaType);
        Assert.Equal("queued", (await owner.TaskAsync(taskId, ct)).GetProperty("state").GetString());
    }
}
