using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Tests.Infrastructure;

/// <summary>
/// Every line any resource logs that reads as a fault: what it wrote to stderr (Aspire shows and forwards that as an
/// error), a .NET console logger's <c>fail:</c> or <c>crit:</c> entry, or a line of a stack trace. Watched from before
/// the app starts, as Aspire's own log forwarder does, so the first lines are not missed.
/// </summary>
public sealed partial class ResourceFaults
{
    private readonly ConcurrentQueue<string> _faults = new();
    private readonly ConcurrentDictionary<string, string> _instances = new();

    public ResourceFaults(DistributedApplication app, CancellationToken stop) => _ = WatchAsync(app, stop);

    public IReadOnlyList<string> Lines => [.. _faults];

    /// <summary>The ids of the instances (replicas) of a resource seen so far.</summary>
    public IReadOnlyList<string> InstancesOf(string resourceName) =>
        [.. _instances.Where(i => i.Value == resourceName).Select(i => i.Key)];

    public static bool IsFault(LogLine line) => line.IsErrorMessage || FaultText().IsMatch(Colours().Replace(line.Content, ""));

    [GeneratedRegex(@"^\s*(fail|crit): |^\s+at \S+\(|^\s*--- End of stack trace|^\s*(Unhandled exception\. )?[\w.]+Exception: ")]
    private static partial Regex FaultText();

    /// <summary>The console logger colours its level names with ANSI escapes.</summary>
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Colours();

    private async Task WatchAsync(DistributedApplication app, CancellationToken stop)
    {
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        var watched = new HashSet<string>();
        var watches = new List<Task>();
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(stop))
            {
                if (watched.Add(update.ResourceId))
                {
                    _instances[update.ResourceId] = update.Resource.Name;
                    watches.Add(WatchResourceAsync(logs, update.ResourceId, stop));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }

        await Task.WhenAll(watches);
    }

    private async Task WatchResourceAsync(ResourceLoggerService logs, string resourceId, CancellationToken stop)
    {
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(stop))
            {
                foreach (var line in batch.Where(IsFault))
                {
                    _faults.Enqueue($"{resourceId}: {line.Content}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
