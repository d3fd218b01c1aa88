using System.Collections.Concurrent;
using System.Text.Json;
using Cognive.SwarmQueen.Memory;
using Cognive.Tests.Infrastructure;
using Npgsql;

namespace Cognive.Tests.Swarm;

/// <summary>The group commit of single memory writes, over a commit that records its groups (pure logic; the store's own tests run it on PostgreSQL).</summary>
public sealed class WriteGroupsTests
{
    [Fact]
    public async Task Writes_queued_meanwhile_commit_as_one_group_in_key_order_and_a_failing_one_fails_only_its_caller()
    {
        var ct = TestContext.Current.CancellationToken;
        var team = Guid.NewGuid();
        var groups = new ConcurrentQueue<string[]>();
        var entered = new SemaphoreSlim(0);
        var releases = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        var calls = 0;
        await using var writes = new WriteGroups(async (group, _) =>
        {
            var keys = group.Select(w => w.Write.Key).ToArray();
            groups.Enqueue(keys);
            var call = Interlocked.Increment(ref calls) - 1;
            if (call < releases.Length)
            {
                entered.Release();
                await releases[call].Task; // both committers held, so what comes next waits in the queue
            }

            return keys.Contains("bad")
                ? throw new PostgresException("the write fails", "ERROR", "ERROR", "23514")
                : keys.Select(key => new WriteResult(Entry(key), key.Length)).ToArray();
        });

        // One at a time: queued together, both would make one group.
        var held = new List<Task<WriteResult>>();
        foreach (var key in new[] { "a0", "a1" })
        {
            held.Add(writes.WriteAsync(team, Write(key)));
            await entered.WaitAsync(ct);
        }

        var queued = new[] { "c", "bad", "b" }.ToDictionary(key => key, key => writes.WriteAsync(team, Write(key)));
        releases[0].SetResult();
        await Eventually.HoldsAsync(() => Task.FromResult(queued.Values.All(t => t.IsCompleted)), "the queued writes are answered", ct);
        releases[1].SetResult();
        await Task.WhenAll(held);

        Assert.Equal(["c", "b"], queued.Where(q => q.Value.IsCompletedSuccessfully).Select(q => q.Value.Result.Entry!.Key));
        Assert.IsType<PostgresException>(await Assert.ThrowsAnyAsync<PostgresException>(() => queued["bad"]));
        Assert.Equal([["b", "bad", "c"], ["b"], ["bad"], ["c"]], groups.Skip(2).ToArray());
        Assert.Equal(6, groups.Count);
    }

    private static MemoryWrite Write(string key) => new("notes", key, JsonDocument.Parse("{}").RootElement, null, null, []);

    private static MemoryEntry Entry(string key) => new("notes", key, JsonDocument.Parse("{}").RootElement, 1, [], null, DateTimeOffset.UnixEpoch);
}
