using System.Diagnostics;

namespace Cognive.Bench;

/// <summary>Open-loop pacing: the i-th send of a fixed rate goes at its own moment, however long earlier answers took.</summary>
public static class Pacing
{
    /// <summary>Starts <paramref name="send"/> for each slot of <paramref name="perSecond"/> a second over
    /// <paramref name="duration"/>, without waiting for earlier sends, then waits for them all.</summary>
    public static async Task OpenLoopAsync(int perSecond, TimeSpan duration, Func<int, Task> send, CancellationToken ct)
    {
        var total = (int)(perSecond * duration.TotalSeconds);
        var started = Stopwatch.GetTimestamp();
        var sends = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            await UntilSlotAsync(started, i, perSecond, ct);
            sends.Add(send(i));
        }

        await Task.WhenAll(sends);
    }

    /// <summary>One <paramref name="send"/> at a time for <paramref name="duration"/>, each at its slot of
    /// <paramref name="perSecond"/> a second (a late one goes at once), and how long each took.</summary>
    public static async Task<Latencies> OneAtATimeAsync(int perSecond, TimeSpan duration, Func<Task> send, CancellationToken ct)
    {
        var latencies = new Latencies();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < duration.TotalSeconds * perSecond; i++)
        {
            await UntilSlotAsync(started, i, perSecond, ct);
            var sent = Stopwatch.GetTimestamp();
            await send();
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
        }

        return latencies;
    }

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
