using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using StackExchange.Redis;

namespace Cognive.Tests.Swarm;

/// <summary>Shared swarm memory: compare-and-set, TTL, prefix and tag queries, and nothing lost with Redis.</summary>
[Collection(StopsSharedResources.Name)]
public sealed class SwarmMemoryTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Of_concurrent_compare_and_sets_on_one_version_exactly_one_wins()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var created = await swarm.Queen.PutAsJsonAsync("/api/v1/swarm/memory/plans/current", new { value = new { step = 0 }, expected_version = 0 }, ct);
        using var again = await swarm.Queen.PutAsJsonAsync("/api/v1/swarm/memory/plans/current", new { value = new { step = 0 }, expected_version = 0 }, ct);

        var answers = await Task.WhenAll(Enumerable.Range(1, 20).Select(async step =>
        {
            using var response = await swarm.Queen.PutAsJsonAsync("/api/v1/swarm/memory/plans/current", new { value = new { step }, expected_version = 1 }, ct);
            return (response.StatusCode, Body: await TeamSession.ReadAsync(response, ct));
        }));
        var winner = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        using var read = await swarm.Queen.GetAsync("/api/v1/swarm/memory/plans/current", ct);
        var stored = await TeamSession.ReadAsync(read, ct);

        Assert.Equal(1, (await TeamSession.ReadAsync(created, ct)).GetProperty("version").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(19, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.Conflict), a => Assert.Equal(2, a.Body.GetProperty("current_version").GetInt64()));
        Assert.Equal(2, stored.GetProperty("version").GetInt64());
        Assert.Equal(winner.Body.GetProperty("value").GetProperty("step").GetInt32(), stored.GetProperty("value").GetProperty("step").GetInt32());
    }

    [Fact]
    public async Task Entries_survive_Redis_restarting_without_its_data()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using (var put = await swarm.Queen.PutAsJsonAsync("/api/v1/swarm/memory/facts/pricing-checked", new { value = new { at = "2026-11-26" }, tags = new[] { "daily" } }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await _app.StopAndStartServerAsync("redis", "redis-server", ct);
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(await _app.GetConnectionStringAsync("redis", ct) + ",allowAdmin=true"))
        {
            await connection.GetServers().Single().FlushAllDatabasesAsync();
        }

        HttpResponseMessage? read = null;
        await Eventually.HoldsAsync(async () =>
        {
            read?.Dispose();
            read = await swarm.Queen.GetAsync("/api/v1/swarm/memory/facts/pricing-checked", ct);
            return read.StatusCode == HttpStatusCode.OK;
        }, "the entry is read again once Redis is back", ct);
        var entry = await TeamSession.ReadAsync(read!, ct);
        read!.Dispose();

        Assert.Equal(1, entry.GetProperty("version").GetInt64());
        Assert.Equal("2026-11-26", entry.GetProperty("value").GetProperty("at").GetString());
        Assert.Equal(["daily"], entry.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Prefix_and_tag_queries_see_live_entries_of_the_team_only_and_expired_ones_are_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        foreach (var (key, tags, ttl) in new[] { ("run:1", "hot", (int?)null), ("run:2", "cold", null), ("task:1", "hot", null), ("run:3", "hot", 1) })
        {
            using var put = await swarm.Queen.PutAsJsonAsync($"/api/v1/swarm/memory/cache/{key}", new { value = key, tags = new[] { tags }, ttl_seconds = ttl }, ct);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await Eventually.HoldsAsync(async () =>
        {
            using var expired = await swarm.Queen.GetAsync("/api/v1/swarm/memory/cache/run:3", ct);
            return expired.StatusCode == HttpStatusCode.NotFound;
        }, "the entry with a one-second TTL expires", ct);
        using var listed = await swarm.Queen.GetAsync("/api/v1/swarm/memory/cache?prefix=run:&tag=hot", ct);
        using var othersView = await other.Queen.GetAsync("/api/v1/swarm/memory/cache/run:1", ct);

        Assert.Equal(["run:1"], (await TeamSession.ReadAsync(listed, ct)).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, othersView.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/api/v1/swarm/memory/bad%20space/key", """{"value":1}""", "namespace")]
    [InlineData("PUT", "/api/v1/swarm/memory/ns/key", """{"tags":["a"]}""", "value")]
    [InlineData("PUT", "/api/v1/swarm/memory/ns/key", """{"value":1,"expected_version":-1}""", "expected_version")]
    [InlineData("PUT", "/api/v1/swarm/memory/ns/key", """{"value":1,"ttl_seconds":0}""", "ttl_seconds")]
    [InlineData("POST", "/api/v1/swarm/memory/batch", """{"operations":[]}""", "operations")]
    [InlineData("POST", "/api/v1/swarm/memory/batch", """{"operations":[{"op":"get","namespace":"ns","key":"k"},{"op":"merge","namespace":"ns","key":"k"}]}""", "operations[1].op")]
    [InlineData("POST", "/api/v1/swarm/memory/batch", """{"operations":[{"op":"put","namespace":"ns","key":"k"}]}""", "operations[0].value")]
    [InlineData("POST", "/api/v1/swarm/memory/batch", """{"operations":[{"op":"get","namespace":"bad space","key":"k"}]}""", "operations[0].namespace")]
    public async Task A_bad_write_or_batch_is_refused_whole_with_the_field_named(string method, string path, string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);

        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        using var response = await swarm.Queen.SendAsync(request, ct);
        var problem = await TeamSession.ReadAsync(response, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
    }

    [Fact]
    public async Task A_batch_applies_its_writes_in_order_with_compare_and_set_and_its_reads_see_them()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        using (var theirs = await other.Queen.PutAsJsonAsync("/api/v1/swarm/memory/plans/shared", new { value = "theirs" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        }

        using var response = await swarm.Queen.PostAsJsonAsync("/api/v1/swarm/memory/batch", new
        {
            operations = new object[]
            {
                new { op = "put", @namespace = "plans", key = "a", value = new { step = 1 }, expected_version = 0 },
                new { op = "put", @namespace = "plans", key = "a", value = new { step = 2 }, expected_version = 0 },
                new { op = "put", @namespace = "plans", key = "a", value = new { step = 3 }, expected_version = 1 },
                new { op = "put", @namespace = "plans", key = "b", value = "gone soon" },
                new { op = "delete", @namespace = "plans", key = "b" },
                new { op = "delete", @namespace = "plans", key = "never" },
                new { op = "get", @namespace = "plans", key = "a" },
                new { op = "get", @namespace = "plans", key = "b" },
                new { op = "get", @namespace = "plans", key = "shared" },
            },
        }, ct);
        var results = (await TeamSession.ReadAsync(response, ct)).GetProperty("results").EnumerateArray().ToList();
        using var single = await swarm.Queen.GetAsync("/api/v1/swarm/memory/plans/a", ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([200, 409, 200, 200, 204, 404, 200, 404, 404], results.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal((2, 3), (results[6].GetProperty("entry").GetProperty("version").GetInt32(),
            results[6].GetProperty("entry").GetProperty("value").GetProperty("step").GetInt32()));
        Assert.Equal(3, (await TeamSession.ReadAsync(single, ct)).GetProperty("value").GetProperty("step").GetInt32());
    }
}
