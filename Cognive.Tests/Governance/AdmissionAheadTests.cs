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

        Assert.Null(windows.Admit("key:a", 10, nowMs: 0)); // never answered: waits
        windows.Answered("key:a", used: 1, nowMs: 0);
        Assert.Equal([2, 3, 4, 5, null], Enumerable.Range(0, 5).Select(_ => windows.Admit("key:a", 10, nowMs: 10)));

        // Five unanswered; as Redis answers them the window is what Redis says, and the next request may go ahead again.
        foreach (var used in new[] { 2, 3, 4, 5, 6 })
        {
            windows.Answered("key:a", used, nowMs: 20);
        }

        Assert.Null(windows.Admit("key:a", 10, nowMs: 30)); // 6 counted + 1 is past half
        windows.Answered("key:a", used: 3, nowMs: 30); // the sliding window let older requests go
        Assert.Equal(4, windows.Admit("key:a", 10, nowMs: 30 + AdmissionAhead.Freshness));
        Assert.Null(windows.Admit("key:a", 10, nowMs: 31 + AdmissionAhead.Freshness)); // the answer is too old

        windows.Answered("key:b", used: 1, nowMs: 0);
        windows.Unanswered("key:b");
        Assert.Null(windows.Admit("key:b", 1_000, nowMs: 0)); // Redis failed to answer: wait for it again
    }

    [Fact]
    public void No_caller_goes_ahead_while_the_process_waits_on_more_answers_than_it_has_room_for()
    {
        var windows = new AdmissionAhead(busyAt: 2);
        foreach (var key in new[] { "key:a", "key:b", "key:c" })
        {
            Assert.Null(windows.Admit(key, 1_000, nowMs: 0));
            windows.Answered(key, used: 1, nowMs: 0);
        }

        Assert.Equal(2, windows.Admit("key:a", 1_000, nowMs: 10));
        Assert.Equal(2, windows.Admit("key:b", 1_000, nowMs: 10));
        Assert.Null(windows.Admit("key:c", 1_000, nowMs: 10)); // far from its limit, but the third unanswered request

        windows.Answered("key:a", used: 2, nowMs: 20);
        windows.Answered("key:c", used: 2, nowMs: 20);
        Assert.Equal(3, windows.Admit("key:c", 1_000, nowMs: 20)); // answers came back: room again

        windows.Unanswered("key:b");
        Assert.Equal(3, windows.Admit("key:a", 1_000, nowMs: 20)); // a failed answer frees its room too
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
