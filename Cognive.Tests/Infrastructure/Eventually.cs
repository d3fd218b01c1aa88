namespace Cognive.Tests.Infrastructure;

/// <summary>Polling with a deadline: the asynchronous pipeline is waited for, never slept on.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, CancellationToken ct, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout ?? DefaultTimeout}: {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }
}
