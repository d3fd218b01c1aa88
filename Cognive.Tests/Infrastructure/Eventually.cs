namespace Cognive.Tests.Infrastructure;

/// <summary>Polling with a deadline: the asynchronous pipeline is waited for, never slept on.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Most conditions hold within a few tens of milliseconds: the first polls come that soon.</summary>
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>A condition that takes seconds is polled no more often than this, so waiting does not load the app.</summary>
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, CancellationToken ct, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var poll = FirstPoll;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout ?? DefaultTimeout}: {what}");
            }

            await Task.Delay(poll, ct);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxPoll.Ticks));
        }
    }
}
