using System.Diagnostics;

namespace Cognive.Ingestion;

/// <summary>
/// Group commit for calls posted one at a time: a call that arrives while earlier ones wait for RabbitMQ's confirm waits
/// for the next message, which carries every call queued by then (up to <see cref="MaxCallsPerMessage"/>), instead of
/// being a message of its own. Each caller still returns only once the message holding its call is confirmed, so a 202
/// still means durable; with nothing in flight a call goes at once, alone. Under load RabbitMQ, the workers and this
/// process handle one message per group rather than per call. Found with bench/ingestion.sh (README, "Issue 21"):
/// single posts cost RabbitMQ a quarter of a core at 2,700 posts/s, one confirmed message each.
/// A message continues the trace of the first call in it.
/// </summary>
public sealed class PublishCoalescer(TelemetryPublisher publisher)
{
    /// <summary>Messages in flight at once: as many as the publisher's channels, so none waits behind another.</summary>
    private const int MaxInFlight = 4;
    private const int MaxCallsPerMessage = 256;

    private readonly Lock _gate = new();
    private readonly Queue<Pending> _queued = new();
    private int _inFlight;

    /// <exception cref="IngestionUnavailableException">RabbitMQ did not confirm the message holding the call.</exception>
    public Task PublishAsync(LlmCallEvent call)
    {
        var pending = new Pending(call, Activity.Current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool startSender;
        lock (_gate)
        {
            _queued.Enqueue(pending);
            startSender = _inFlight < MaxInFlight;
            if (startSender)
            {
                _inFlight++;
            }
        }

        if (startSender)
        {
            // Not on the request's flow: the sender outlives it and serves other requests' calls.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(SendQueuedAsync);
            }
        }

        return pending.Done.Task;
    }

    private async Task SendQueuedAsync()
    {
        while (TakeQueued() is { } group)
        {
            Activity.Current = group[0].Activity;
            try
            {
                await publisher.PublishAsync(new LlmCallMessage(group.Select(p => p.Call).ToList()), CancellationToken.None);
                group.ForEach(p => p.Done.SetResult());
            }
            catch (Exception e)
            {
                group.ForEach(p => p.Done.SetException(e));
            }
            finally
            {
                Activity.Current = null;
            }
        }
    }

    /// <summary>The next group, or null (and this sender ends) when nothing is queued.</summary>
    private List<Pending>? TakeQueued()
    {
        lock (_gate)
        {
            if (_queued.Count == 0)
            {
                _inFlight--;
                return null;
            }

            var group = new List<Pending>(Math.Min(_queued.Count, MaxCallsPerMessage));
            while (group.Count < MaxCallsPerMessage && _queued.TryDequeue(out var next))
            {
                group.Add(next);
            }

            return group;
        }
    }

    private sealed record Pending(LlmCallEvent Call, Activity? Activity, TaskCompletionSource Done);
}
