using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Swarm;

/// <summary>
/// No team can exhaust the queen or its servers for the others: the API's per-key rate holds at the queen, and each team's
/// swarm is held to quotas (the shared app's are small: <see cref="SharedApp.SwarmQuotas"/>), refused with problem details
/// that name the quota, and audited without a flood of records.
/// </summary>
public sealed class SwarmQuotaTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    private static long Quota(string name) => SharedApp.SwarmQuotas[name];

    [Fact]
    public async Task A_key_past_its_rate_is_refused_by_the_queen_and_the_api_alike_while_other_keys_go_on()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var created = await swarm.Team.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "slow", rate_limit_per_minute = 5 }, ct);
        var key = (await TeamSession.ReadAsync(created, ct)).GetProperty("key").GetString()!;
        using var queen = _app.App.CreateHttpClient("swarm-queen", "http");
        queen.DefaultRequestHeaders.Add("X-API-Key", key);
        using var api = _app.CreateApiClient(key);

        // The queen asks the API who the key is once (that asking counts too): within six requests the window is spent.
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6 && answers.LastOrDefault()?.StatusCode != HttpStatusCode.TooManyRequests; i++)
        {
            answers.Add(await queen.GetAsync("/api/v1/swarm/agents", ct));
        }

        using var atTheApi = await api.GetAsync("/api/v1/teams/me", ct);
        using var otherKey = await swarm.Queen.GetAsync("/api/v1/swarm/agents", ct);
        var refused = answers[^1];
        var problem = await TeamSession.ReadAsync(refused, ct);

        Assert.All(answers[..^1], a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal("5", answers[0].Headers.GetValues("RateLimit-Limit").Single());
        Assert.True(answers[0].Headers.Contains("RateLimit-Remaining") && answers[0].Headers.Contains("RateLimit-Reset"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("https://cognive.dev/problems/rate-limited", problem.GetProperty("type").GetString());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal("0", refused.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, atTheApi.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task A_key_that_spent_its_rate_at_the_api_gets_429_from_the_queen_too()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "spent", rate_limit_per_minute = 2 }, ct);
        var key = (await TeamSession.ReadAsync(created, ct)).GetProperty("key").GetString()!;
        using var api = _app.CreateApiClient(key);
        using var queen = _app.App.CreateHttpClient("swarm-queen", "http");
        queen.DefaultRequestHeaders.Add("X-API-Key", key);

        using var first = await api.GetAsync("/api/v1/teams/me", ct);
        using var second = await api.GetAsync("/api/v1/teams/me", ct);
        using var refused = await queen.GetAsync("/api/v1/swarm/agents", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("https://cognive.dev/problems/rate-limited", (await TeamSession.ReadAsync(refused, ct)).GetProperty("type").GetString());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal("2", refused.Headers.GetValues("RateLimit-Limit").Single());
    }

    [Fact]
    public async Task Memory_past_the_teams_stored_bytes_is_refused_naming_the_quota_audited_once_and_freed_by_a_delete()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        var value = new { text = new string('m', (int)Quota("MemoryBytes") / 4) };

        var accepted = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var put = await swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/memory/notes/k{i}", new { value }, ct);
            accepted.Add(put.StatusCode);
        }

        var refusals = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            refusals.Add(await swarm.Queen.PutAsJsonAsync("/api/v1/swarm/memory/notes/k3", new { value }, ct));
        }

        using var batch = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/memory/batch",
            new { operations = new[] { new { op = "put", @namespace = "notes", key = "k4", value = (object)value } } }, ct);
        using var otherTeam = await other.Queen.PutAsJsonAsync("/api/v1/swarm/memory/notes/k0", new { value }, ct);
        using var deleted = await swarm.Queen.DeleteAsync("/api/v1/swarm/memory/notes/k0", ct);
        using var afterDelete = await swarm.Queen.PutAsJsonAsync("/api/v1/swarm/memory/notes/k3", new { value }, ct);
        var problem = await TeamSession.ReadAsync(refusals[0], ct);
        var audited = await AuditAsync(swarm, "swarm.quota.refused", ct);

        Assert.All(accepted, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(refusals, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, batch.StatusCode);
        AssertNames(problem, "https://cognive.dev/problems/quota-exceeded", "memory_bytes", Quota("MemoryBytes"));
        Assert.InRange(problem.GetProperty("used").GetInt64(), 3 * value.text.Length, Quota("MemoryBytes"));
        Assert.Equal(HttpStatusCode.OK, otherTeam.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterDelete.StatusCode);
        // Five refusals, one record (two if the minute turned between them).
        Assert.InRange(audited.Count(r => r.GetProperty("target_id").GetString() == "memory_bytes"), 1, 2);
        refusals.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Expired_memory_is_deleted_and_gives_its_bytes_back_to_the_teams_quota()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var teamId = await swarm.Team.TeamIdAsync(ct);
        var value = new { text = new string('e', (int)Quota("MemoryBytes") / 4) };
        for (var i = 0; i < 3; i++)
        {
            using var put = await swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/memory/scratch/k{i}", new { value, ttl_seconds = 1 }, ct);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await using var db = new NpgsqlConnection(await _app.GetConnectionStringAsync("cognive", ct));
        await db.OpenAsync(ct);
        async Task<long> StoredAsync()
        {
            await using var count = new NpgsqlCommand("SELECT count(*) FROM swarm_memory WHERE team_id = $1", db);
            count.Parameters.AddWithValue(teamId);
            return (long)(await count.ExecuteScalarAsync(ct))!;
        }

        // The sweep runs once a minute.
        await Eventually.HoldsAsync(async () => await StoredAsync() == 0, "the expired entries are deleted", ct, TimeSpan.FromSeconds(90));
        var puts = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var put = await swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/memory/notes/k{i}", new { value }, ct);
            puts.Add(put.StatusCode);
        }

        Assert.All(puts, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Tasks_past_the_teams_queue_are_refused_until_one_is_cancelled_and_the_cancellation_is_audited()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        var queued = new List<Guid>();
        for (var i = 0; i < Quota("QueuedTasks"); i++)
        {
            queued.Add(await swarm.SubmitAsync(new { type = "noop" }, ct));
        }

        using var refused = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/tasks", new { type = "noop" }, ct);
        var otherTeams = await other.SubmitAsync(new { type = "noop" }, ct);
        using var cancelled = await swarm.Queen.PostAsync($"/api/v1/swarm/tasks/{queued[0]}/cancel", null, ct);
        var afterCancel = await swarm.SubmitAsync(new { type = "noop" }, ct);
        var problem = await TeamSession.ReadAsync(refused, ct);
        var cancellations = await AuditAsync(swarm, "swarm.task.cancelled", ct);
        var refusals = await AuditAsync(swarm, "swarm.quota.refused", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertNames(problem, "https://cognive.dev/problems/quota-exceeded", "queued_tasks", Quota("QueuedTasks"));
        Assert.Equal(Quota("QueuedTasks"), problem.GetProperty("used").GetInt64());
        Assert.NotEqual(Guid.Empty, otherTeams);
        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        Assert.NotEqual(Guid.Empty, afterCancel);
        var cancellation = Assert.Single(cancellations);
        Assert.Equal(queued[0].ToString(), cancellation.GetProperty("target_id").GetString());
        Assert.StartsWith("key:", cancellation.GetProperty("actor").GetString());
        Assert.Contains(refusals, r => r.GetProperty("target_id").GetString() == "queued_tasks");
    }

    [Fact]
    public async Task Instances_past_the_quota_are_refused_while_a_known_instance_registers_again()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var agentId = await swarm.Team.RegisterAgentAsync("fleet", ct);
        var ids = Enumerable.Range(0, (int)Quota("Instances")).Select(_ => Guid.NewGuid()).ToList();
        Task<HttpResponseMessage> RegisterAsync(Guid id) =>
            swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/agents/{id}", new { agent_id = agentId, capabilities = new[] { "noop" }, version = "1" }, ct);

        var registered = new List<HttpStatusCode>();
        foreach (var id in ids)
        {
            using var response = await RegisterAsync(id);
            registered.Add(response.StatusCode);
        }

        using var oneTooMany = await RegisterAsync(Guid.NewGuid());
        using var again = await RegisterAsync(ids[0]);
        var problem = await TeamSession.ReadAsync(oneTooMany, ct);

        foreach (var id in ids)
        {
            using var left = await swarm.Queen.DeleteAsync($"/api/v1/swarm/agents/{id}", ct);
        }

        Assert.All(registered, status => Assert.Equal(HttpStatusCode.NoContent, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, oneTooMany.StatusCode);
        AssertNames(problem, "https://cognive.dev/problems/quota-exceeded", "instances", Quota("Instances"));
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    [Fact]
    public async Task A_too_large_result_message_or_body_gets_413_naming_its_quota()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var instanceId = await swarm.RegisterInstanceAsync(["noop"], ct);
        await swarm.SubmitAsync(new { type = "noop" }, ct);
        var lease = (await swarm.LeaseAsync(instanceId, ct))!.Value;
        var taskId = lease.GetProperty("id").GetGuid();
        var token = lease.GetProperty("fencing_token").GetInt64();
        var tooLarge = new string('r', (int)Quota("TaskResultBytes"));

        using var result = await swarm.Queen.PostAsJsonAsync($"/api/v1/swarm/tasks/{taskId}/complete",
            new { fencing_token = token, result = new { text = tooLarge } }, ct);
        using var completed = await swarm.CompleteAsync(taskId, token, ct);
        using var message = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/channels/agent-communication/messages",
            new { body = new { text = new string('c', (int)Quota("ChannelMessageBytes")) } }, ct);
        using var body = await swarm.Queen.PutAsync("/api/v1/swarm/memory/notes/huge",
            new StringContent($$"""{"value":"{{new string('b', (int)Quota("RequestBodyBytes"))}}"}""", Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, result.StatusCode);
        AssertNames(await TeamSession.ReadAsync(result, ct), "https://cognive.dev/problems/payload-too-large", "task_result_bytes",
            Quota("TaskResultBytes"));
        Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, message.StatusCode);
        AssertNames(await TeamSession.ReadAsync(message, ct), "https://cognive.dev/problems/payload-too-large", "channel_message_bytes",
            Quota("ChannelMessageBytes"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, body.StatusCode);
        AssertNames(await TeamSession.ReadAsync(body, ct), "https://cognive.dev/problems/payload-too-large", "request_body_bytes",
            Quota("RequestBodyBytes"));
    }

    [Fact]
    public async Task A_channel_keeps_its_newest_messages_within_its_bytes_and_refuses_a_group_past_the_quota()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        const string channel = "/api/v1/swarm/channels/memory-sync";
        var groups = new List<HttpStatusCode>();
        for (var g = 0; g < Quota("ChannelGroups"); g++)
        {
            using var receive = await swarm.Queen.GetAsync($"{channel}/messages?group=g{g}&consumer=c", ct);
            groups.Add(receive.StatusCode);
        }

        // Twice the channel's bytes, in messages of an eighth of it: only the newest fit.
        var size = (int)Quota("ChannelBytes") / 8;
        for (var i = 0; i < 16; i++)
        {
            using var sent = await swarm.Queen.PostAsJsonAsync($"{channel}/messages", new { body = new { i, text = new string('s', size - 100) } }, ct);
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        using var read = await swarm.Queen.GetAsync($"{channel}/messages?group=g0&consumer=c&count=100", ct);
        var kept = (await TeamSession.ReadAsync(read, ct)).GetProperty("messages").EnumerateArray()
            .Select(m => m.GetProperty("body").GetProperty("i").GetInt32()).ToList();
        using var oneGroupTooMany = await swarm.Queen.GetAsync($"{channel}/messages?group=extra&consumer=c", ct);

        Assert.All(groups, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.InRange(kept.Count, 6, 8);
        Assert.Equal(Enumerable.Range(16 - kept.Count, kept.Count), kept);
        Assert.Equal(HttpStatusCode.TooManyRequests, oneGroupTooMany.StatusCode);
        AssertNames(await TeamSession.ReadAsync(oneGroupTooMany, ct), "https://cognive.dev/problems/quota-exceeded", "channel_groups",
            Quota("ChannelGroups"));
    }

    private static void AssertNames(JsonElement problem, string type, string quota, long limit)
    {
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal(quota, problem.GetProperty("quota").GetString());
        Assert.Equal(limit, problem.GetProperty("limit").GetInt64());
        Assert.Contains(quota, problem.GetProperty("detail").GetString());
    }

    private static async Task<List<JsonElement>> AuditAsync(SwarmSession swarm, string action, CancellationToken ct) =>
        (await swarm.Team.GetJsonAsync($"/api/v1/audit?action={action}", ct)).GetProperty("items").EnumerateArray().ToList();
}
