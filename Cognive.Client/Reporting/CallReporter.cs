using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.Channels;
using Cognive.Client.Api;
using Cognive.Client.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cognive.Client.Reporting;

/// <summary>
/// Sends reports in the background so that reporting never blocks: <see cref="Enqueue"/> only writes to a bounded
/// in-memory queue (full: the oldest is dropped, counted, logged and metered) and one loop sends it in batches, in
/// order, retrying failed sends with backoff and jitter. Client-minted event ids make a retried batch stored once.
/// </summary>
public sealed class CallReporter : IAsyncDisposable
{
    private static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(1);

    private readonly IReportSink _sink;
    private readonly CogniveClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Outgoing> _queue;
    private readonly CancellationTokenSource _abandon = new();
    private readonly Random _jitter = new();
    private readonly List<LlmCall> _batch;
    private readonly Task _loop;
    private TaskCompletionSource _progress = NewSignal();
    private long _queued, _done, _sent, _rejected, _dropped, _lost, _retries, _lastDropLog;
    private int _disposed;
    private bool _endInFlight;

    internal CallReporter(IReportSink sink, IOptions<CogniveClientOptions> options, TimeProvider time, ILogger<CallReporter> logger,
        IMeterFactory? meters = null)
    {
        (_sink, _options, _time, _logger) = (sink, options.Value, time, logger);
        Metrics = new ReporterMetrics(meters, () => _queue!.Reader.Count);
        _batch = new List<LlmCall>(_options.BatchSize);
        _queue = Channel.CreateBounded<Outgoing>(
            new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
        _loop = Task.Run(SendLoopAsync);
    }

    internal ReporterMetrics Metrics { get; }

    /// <summary>Where the reporter stands; every report queued is in the end sent, rejected, dropped or lost.</summary>
    public ReporterStatistics Statistics => new(Interlocked.Read(ref _queued), _queue.Reader.Count, Interlocked.Read(ref _sent),
        Interlocked.Read(ref _rejected), Interlocked.Read(ref _dropped), Interlocked.Read(ref _lost), Interlocked.Read(ref _retries));

    /// <summary>Queues a call for sending. Never blocks and never throws; after disposal the call is counted lost.</summary>
    public void Enqueue(in LlmCall call) => Write(new Outgoing(call, null));

    internal void EndRun(RunEnd end) => Write(new Outgoing(default, end));

    /// <summary>
    /// Waits until every report queued before this call has been sent (or rejected, dropped or lost), at most
    /// <paramref name="timeout"/>. False when the time ran out first.
    /// </summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var target = Interlocked.Read(ref _queued);
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (Interlocked.Read(ref _done) < target)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (Interlocked.Read(ref _done) >= target)
            {
                break;
            }

            var left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await progress.WaitAsync(left, _time, ct);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sends what is queued within <see cref="CogniveClientOptions.FlushTimeout"/>, then stops; what is left is logged as lost.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        var flushed = await FlushAsync(_options.FlushTimeout);
        _queue.Writer.TryComplete();
        if (!flushed)
        {
            await _abandon.CancelAsync();
        }

        await _loop;
        var left = 0L;
        while (_queue.Reader.TryRead(out _))
        {
            left++;
        }

        Lose(left);
        if (Interlocked.Read(ref _lost) > 0)
        {
            _logger.LogError("Cognive reporter stopped with {Lost} report(s) not sent within {Timeout} (Cognive unreachable?)",
                Interlocked.Read(ref _lost), _options.FlushTimeout);
        }

        _abandon.Dispose();
    }

    private void Write(Outgoing item)
    {
        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(item))
        {
            Metrics.Queued.Add(1);
            return;
        }

        // Disposed: nothing will send it.
        Lose(1);
        _logger.LogError("A Cognive report was queued after the reporter stopped; it is lost");
    }

    private void OnDropped(Outgoing dropped)
    {
        var total = Interlocked.Increment(ref _dropped);
        Done(1);
        Metrics.Dropped.Add(1);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLog);
        if ((last == 0 || _time.GetElapsedTime(last, now) >= DropLogInterval) && Interlocked.CompareExchange(ref _lastDropLog, now, last) == last)
        {
            _logger.LogWarning("Cognive report queue full ({Capacity}): dropped the oldest report; {Dropped} dropped so far",
                _options.QueueCapacity, total);
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (_batch.Count < _options.BatchSize && reader.TryRead(out var item))
                {
                    if (item.End is { } end)
                    {
                        await SendBatchAsync();
                        await SendEndAsync(end);
                    }
                    else
                    {
                        _batch.Add(item.Call);
                    }
                }

                await SendBatchAsync();
            }
        }
        catch (Exception) when (_abandon.IsCancellationRequested)
        {
            // Stopping past the flush deadline: what was being sent is lost; what is still queued, DisposeAsync counts.
            Lose(_batch.Count + (_endInFlight ? 1 : 0));
        }
    }

    private async Task SendBatchAsync()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var result = await WithRetriesAsync(ct => _sink.SendCallsAsync(_batch, ct), $"{_batch.Count} call(s)");
        if (result is not null)
        {
            Interlocked.Add(ref _sent, result.Accepted);
            Metrics.Sent.Add(result.Accepted);
            if (result.Rejected > 0)
            {
                Reject(result.Rejected, result.Results.First(r => r.Status == "rejected") is var first
                    ? $"e.g. item {first.Index}: {string.Join("; ", first.Errors?.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")) ?? [])}"
                    : "");
            }
        }

        Done(_batch.Count);
        _batch.Clear();
    }

    private async Task SendEndAsync(RunEnd end)
    {
        _endInFlight = true;
        await WithRetriesAsync(async ct =>
        {
            await _sink.EndRunAsync(end, ct);
            return end;
        }, $"the end of run {end.RunId}");
        _endInFlight = false;
        Done(1);
    }

    /// <summary>
    /// Sends until the API answers (or the reporter is abandoned at its deadline). An answer that sending again cannot
    /// change (invalid, unauthorised, the run already ended) is logged and counted rejected; null is returned then.
    /// </summary>
    private async Task<T?> WithRetriesAsync<T>(Func<CancellationToken, Task<T>> send, string what) where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var answer = await send(_abandon.Token);
                if (attempt > 0)
                {
                    _logger.LogInformation("Cognive reachable again: sent {What} after {Attempts} attempt(s)", what, attempt + 1);
                }

                return answer;
            }
            catch (CogniveApiException e) when (IsFinal(e))
            {
                Reject(_endInFlight ? 1 : _batch.Count, $"{what}: {e.Message}");
                return null;
            }
            catch (Exception e) when (!_abandon.IsCancellationRequested)
            {
                Interlocked.Increment(ref _retries);
                Metrics.Retries.Add(1);
                var delay = Backoff.Delay(attempt, _options.RetryBaseDelay, _options.RetryMaxDelay, _jitter);
                if (attempt == 0)
                {
                    _logger.LogWarning("Cognive did not take {What} ({Reason}); retrying with backoff", what, e.Message);
                }

                await Task.Delay(delay, _time, _abandon.Token);
            }
        }
    }

    /// <summary>Answers that sending again cannot change. 5xx, a rate limit (429 without results) and no answer are retried.</summary>
    private static bool IsFinal(CogniveApiException e) =>
        e.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
            or HttpStatusCode.Conflict or HttpStatusCode.RequestEntityTooLarge;

    private void Reject(long count, string reason)
    {
        Interlocked.Add(ref _rejected, count);
        Metrics.Rejected.Add(count);
        _logger.LogError("Cognive refused {Count} report(s): {Reason}", count, reason);
    }

    private void Lose(long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _lost, count);
            Metrics.Lost.Add(count);
            Done(count);
        }
    }

    private void Done(long count)
    {
        Interlocked.Add(ref _done, count);
        Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
