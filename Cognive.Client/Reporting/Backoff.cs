namespace Cognive.Client.Reporting;

/// <summary>
/// Exponential backoff with "equal jitter": half the doubled delay fixed, half random, so clients that failed together
/// do not retry together, and no retry comes sooner than half its step.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
    {
        var step = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(step / 2 + random.NextDouble() * step / 2);
    }
}
