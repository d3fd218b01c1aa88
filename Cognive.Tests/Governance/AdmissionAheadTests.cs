using Cognive.RateLimits;
using Cognive.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Cognive.Tests.Governance;

/// <summary>
/// The gateway's limiter lets a key far from its limit through without waiting for Redis, and still counts it there: the
/// window's rule (what Redis said, plus what is unanswered, within half the limit), then the limiter on the real Redis.
/// </summary>
public sealed class AdmissionAheadTests(SharedApp shared)
{
    [Fact]
    public void A_caller_goes_ahead_only_while_a_fresh_answer_and_its_unanswered_requests_leave_half_the_limit()
    {
        var windows = new AdmissionAhead(busyAt: 100);

        Assert.Null(windows.Admit("key:a", 10, nowMs: 0, out var first)); // never answered: waits
        windows.Answered("key:a", first, used: 1, nowMs: 0);
        var tickets = new long[5];
        Assert.Equal([2, 3, 4, 5, null], tickets.Select((_, i) => windows.Admit("key:a", 10, nowMs: 10, out tickets[i])).ToList());

        // Five unanswered; as Redis answers them the window is what Redis says, and the next request may go ahead again.
        foreach (var (ticket, used) in tickets.Zip([2, 3, 4, 5, 6]))
        {
            windows.Answered("key:a", ticket, used, nowMs: 20);
        }

        Assert.Null(windows.Admit("key:a", 10, nowMs: 30, out var sixth)); // 6 counted + 1 is past half
        windows.Answered("key:a", sixth, used: 3, nowMs: 30); // the sliding window let older requests go
        Assert.Equal(4, windows.Admit("key:a", 10, nowMs: 30 + AdmissionAhead.Freshness, out _));
        Assert.Null(windows.Admit("key:a", 10, nowMs: 31 + AdmissionAhead.Freshness, out _)); // the answer is too old

        Assert.Null(windows.Admit("key:b", 1_000, nowMs: 0, out var b));
        windows.Answered("key:b", b, used: 1, nowMs: 0);
        Assert.Equal(2, windows.Admit("key:b", 1_000, nowMs: 0, out _));
        windows.Unanswered("key:b");
        Assert.Null(windows.Admit("key:b", 1_000, nowMs: 0, out _)); // Redis failed to answer: wait for it again
    }

    [Fact]
    public void An_earlier_requests_answer_arriving_after_a_later_ones_does_not_lower_the_window()
    {
        var windows = new AdmissionAhead(busyAt: 100);
        Assert.Null(windows.Admit("key:a", 100, nowMs: 0, out var earlier));
        Assert.Null(windows.Admit("key:a", 100, nowMs: 0, out var later));

        // Redis counted them in that order (10, then 60: the caller's other processes counted meanwhile); the answers came
        // back the other way round, as answers on different threads may.
        windows.Answered("key:a", later, used: 60, nowMs: 10);
        windows.Answered("key:a", earlier, used: 10, nowMs: 10);

        Assert.Null(windows.Admit("key:a", 100, nowMs: 20, out _)); // 60 + 1 is past half (11 would have gone ahead)
    }

    [Fact]
    public void No_caller_goes_ahead_while_the_process_waits_on_more_answers_than_it_has_room_for()
    {
        var windows = new AdmissionAhead(busyAt: 2);
        foreach (var key in new[] { "key:a", "key:b", "key:c" })
        {
            Assert.Null(windows.Admit(key, 1_000, nowMs: 0, out var ticket));
            windows.Answered(key, ticket, used: 1, nowMs: 0);
        }

        Assert.Equal(2, windows.Admit("key:a", 1_000, nowMs: 10, out var a));
        Assert.Equal(2, windows.Admit("key:b", 1_000, nowMs: 10, out _));
        Assert.Null(windows.Admit("key:c", 1_000, nowMs: 10, out var c)); // far from its limit, but the third unanswered request

        windows.Answered("key:a", a, used: 2, nowMs: 20);
        windows.Answered("key:c", c, used: 2, nowMs: 20);
        Assert.Equal(3, windows.Admit("key:c", 1_000, nowMs: 20, out _)); // answers came back: room again

        windows.Unanswered("key:b");
        Assert.Equal(3, windows.Admit("key:a", 1_000, nowMs: 20, out _)); // a failed answer frees its room too
    }

    [Fact]
    public async Task Requests_let_ahead_are_counted_in_Redis_and_one_process_never_passes_the_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await shared.App.GetConnectionStringAsync("redis", ct));
        // Half-way through a minute, and standing still, so that the sliding window's count does not decay during the test.
        var midMinute = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000 + 30_000);
        var limiter = new RateLimiter(redis, new StoppedClock(midMinute), NullLogger<RateLimiter>.Instance, new AdmissionAhead(busyAt: 1_000));
        var subject = $"test:{Guid.NewGuid():N}";
        const int limit = 100;

        var decisions = new List<RateDecision>();
        var aheadByWave = new List<int>();
        for (var wave = 0; wave < 15; wave++)
        {
            // Answered before it was awaited: let ahead (a request that waits for Redis is not answered that soon).
            var pending = Enumerable.Range(0, 10).Select(_ => limiter.AcquireAsync(subject, limit)).Select(d => (d, d.IsCompleted)).ToList();
            aheadByWave.Add(pending.Count(p => p.IsCompleted));
            foreach (var (decision, _) in pending)
            {
                decisions.Add(await decision);
            }
        }

        // The script never counts past the limit; the requests let ahead are counted behind their answers.
        var counter = $"cognive:rate:{subject}:{midMinute.ToUnixTimeMilliseconds() / 60_000}";
        await Eventually.HoldsAsync(async () => (long)await redis.GetDatabase().StringGetAsync(counter) == limit,
            $"the window counts {limit}", ct, TimeSpan.FromSeconds(20));
        Assert.True(aheadByWave.Sum() >= 10, $"let ahead by wave: {string.Join(", ", aheadByWave)}");
        Assert.Equal(limit, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal(0, d.Remaining));
    }

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
