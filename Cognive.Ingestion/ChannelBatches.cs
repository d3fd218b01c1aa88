using System.Diagnostics;
using System.Threading.Channels;

namespace Cognive.Ingestion;

/// <summary>Batches read from a channel: what is already there, and what arrives within a short window.</summary>
public static class ChannelBatches
{
    /// <summary>
    /// Adds to <paramref name="batch"/> what the reader holds and what arrives until <paramref name="window"/> has passed or
    /// <paramref name="isFull"/> says the batch is full. Ends early when the channel completes.
    /// </summary>
    public static async Task GatherAsync<T>(this ChannelReader<T> reader, List<T> batch, Func<List<T>, bool> isFull, TimeSpan window,
        CancellationToken ct)
    {
        var closesAt = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        while (!isFull(batch))
        {
            if (reader.TryRead(out var item))
            {
                batch.Add(item);
                continue;
            }

            var left = closesAt - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return;
            }

            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
            waiting.CancelAfter(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            try
            {
                if (!await reader.WaitToReadAsync(waiting.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
