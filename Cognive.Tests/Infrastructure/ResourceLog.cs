using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Tests.Infrastructure;

public static class ResourceLog
{
    /// <summary>Reads a resource's console log until a line contains <paramref name="expected"/>; returns what was read.</summary>
    public static async Task<string> ReadAsync(DistributedApplication app, string resourceId, string expected,
        TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var lines = new List<string>();
        try
        {
            var logs = app.Services.GetRequiredService<ResourceLoggerService>();
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(deadline.Token))
            {
                lines.AddRange(batch.Select(line => line.Content));
                if (lines.Any(line => line.Contains(expected, StringComparison.Ordinal)))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Deadline reached: the caller's assertions report what was read.
        }

        return string.Join('\n', lines);
    }
}
