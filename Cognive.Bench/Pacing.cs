using System.Diagnostics;

namespace Cognive.Bench;

/// <summary>Open-loop pacing: the i-th send of a fixed rate goes at its own moment, however long earlier answers took.</summary>
public static class Pacing
{
    /// <summary>Waits until slot <paramref name="slot"/> of <paramref name="perSecond"/> a second counted from
    /// <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp); a late slot goes at once.</summary>
    public static async Task UntilSlotAsync(long started, int slot, int perSecond, CancellationToken ct)
    {
        var wait = started + (long)((double)slot / perSecond * Stopwatch.Frequency) - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
        }
    }
}
