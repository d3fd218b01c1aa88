using System.Diagnostics;
using System.Globalization;

namespace Cognive.Bench;

/// <summary>Clients that each send their next request as soon as the last is answered, for a while.</summary>
public static class ClosedLoop
{
    /// <param name="send">Given the client's number and its request's number; any answer but success stops the benchmark.</param>
    /// <returns>Requests answered, client-side latencies, and the server's own time from each answer's <c>Server-Timing</c> header.</returns>
    public static async Task<(long Requests, Latencies Latencies, Latencies Server)> RunAsync(int clients, TimeSpan duration,
        Func<int, int, Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        var latencies = new Latencies();
        var server = new Latencies();
        var requests = 0L;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            for (var i = 0; Stopwatch.GetTimestamp() < until && !ct.IsCancellationRequested; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await send(client, i);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"The benchmark's request was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.Headers.TryGetValues("Server-Timing", out var timing) &&
                    double.TryParse(timing.First().Split("dur=").Last(), CultureInfo.InvariantCulture, out var serverMs))
                {
                    server.Add(serverMs);
                }

                Interlocked.Increment(ref requests);
            }
        }));
        return (requests, latencies, server);
    }
}
