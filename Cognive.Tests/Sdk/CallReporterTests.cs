using System.Collections.Concurrent;
using Cognive.Client.Api;
using Cognive.Client.Hosting;
using Cognive.Client.Reporting;
using Cognive.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cognive.Tests.Sdk;

/// <summary>The reporter's queue and retries, against a stand-in for the API (pure logic; the real API is in <see cref="UseCogniveTests"/>).</summary>
public sealed class CallReporterTests
{
    [Fact]
    public async Task A_full_queue_drops_the_oldest_and_counts_it()
    {
        var sink = new Sink { Hold = new TaskCompletionSource() };
        await using var reporter = Reporter(sink, options => (options.QueueCapacity, options.BatchSize) = (10, 10));
        reporter.Enqueue(Call(0));
        await Eventually.HoldsAsync(() => Task.FromResult(sink.Attempts == 1), "the first call is being sent", TestContext.Current.CancellationToken);

        for (var i = 1; i <= 20; i++)
        {
            reporter.Enqueue(Call(i));
        }

        Assert.Equal((21L, 10L, 10L), (reporter.Statistics.Queued, reporter.Statistics.Pending, reporter.Statistics.Dropped));
        sink.Hold.SetResult();
        Assert.True(await reporter.FlushAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        // The call in flight, then the newest ten: calls 1 to 10 were the oldest waiting, and were dropped.
        Assert.Equal([0, .. Enumerable.Range(11, 10)], sink.Delivered.Select(c => c.LatencyMs));
        Assert.Equal((11L, 10L), (reporter.Statistics.Sent, reporter.Statistics.Dropped));
    }

    [Fact]
    public async Task A_failed_send_is_retried_with_the_same_event_ids_until_it_is_taken()
    {
        var sink = new Sink { FailuresLeft = 3 };
        await using var reporter = Reporter(sink);
        var calls = Enumerable.Range(0, 5).Select(Call).ToList();
        calls.ForEach(c => reporter.Enqueue(c));

        Assert.True(await reporter.FlushAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(calls.Select(c => c.EventId), sink.Delivered.Select(c => c.EventId));
        Assert.Equal(4, sink.Attempts);
        Assert.All(sink.AttemptedIds, ids => Assert.Equal(calls.Select(c => c.EventId), ids));
        Assert.Equal((5L, 3L, 0L), (reporter.Statistics.Sent, reporter.Statistics.Retries, reporter.Statistics.Dropped));
    }

    [Fact]
    public async Task A_runs_end_is_sent_after_its_calls()
    {
        var sink = new Sink();
        await using var reporter = Reporter(sink);
        var runId = Guid.NewGuid();
        reporter.Enqueue(Call(1));
        reporter.EndRun(new RunEnd(runId, RunStatus.Failed, "boom"));
        reporter.Enqueue(Call(2));

        Assert.True(await reporter.FlushAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.Equal(["call 1", $"end {runId} Failed", "call 2"], sink.Log);
    }

    [Fact]
    public async Task Disposal_waits_for_the_flush_deadline_then_counts_what_is_left_as_lost()
    {
        var sink = new Sink { FailuresLeft = int.MaxValue };
        var reporter = Reporter(sink, options => options.FlushTimeout = TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < 7; i++)
        {
            reporter.Enqueue(Call(i));
        }

        await reporter.DisposeAsync();
        reporter.Enqueue(Call(8));

        Assert.Equal((0L, 8L), (reporter.Statistics.Sent, reporter.Statistics.Lost));
    }

    [Fact]
    public void Backoff_doubles_from_the_base_with_jitter_up_to_the_cap()
    {
        var random = new Random(7);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var step = Math.Min(10_000, 200 * Math.Pow(2, attempt));
            var delay = Backoff.Delay(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), random).TotalMilliseconds;
            Assert.InRange(delay, step / 2, step);
        }
    }

    internal static LlmCall Call(int n) => new(Guid.CreateVersion7(), Guid.Empty, "openai", "gpt-4o-mini", 10, 5, 0, n, LlmCall.Success,
        DateTimeOffset.UtcNow);

    private static CallReporter Reporter(Sink sink, Action<CogniveClientOptions>? configure = null)
    {
        var options = new CogniveClientOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(5), RetryMaxDelay = TimeSpan.FromMilliseconds(20) };
        configure?.Invoke(options);
        return new CallReporter(sink, Options.Create(options), TimeProvider.System, NullLogger<CallReporter>.Instance);
    }

    /// <summary>The API as the reporter sees it: takes every call, or fails a number of times first, or holds the first send.</summary>
    private sealed class Sink : IReportSink
    {
        private int _attempts;

        public TaskCompletionSource? Hold { get; init; }

        public int FailuresLeft { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public ConcurrentQueue<LlmCall> Delivered { get; } = new();

        public ConcurrentQueue<Guid[]> AttemptedIds { get; } = new();

        public ConcurrentQueue<string> Log { get; } = new();

        public async Task<BatchResult> SendCallsAsync(IReadOnlyList<LlmCall> calls, CancellationToken ct)
        {
            Interlocked.Increment(ref _attempts);
            AttemptedIds.Enqueue(calls.Select(c => c.EventId).ToArray());
            if (Hold is { } hold)
            {
                await hold.Task.WaitAsync(ct);
            }

            if (FailuresLeft-- > 0)
            {
                throw new HttpRequestException("connection refused");
            }

            foreach (var call in calls)
            {
                Delivered.Enqueue(call);
                Log.Enqueue($"call {call.LatencyMs}");
            }

            return new BatchResult(calls.Count, 0, []);
        }

        public Task EndRunAsync(RunEnd end, CancellationToken ct)
        {
            Log.Enqueue($"end {end.RunId} {end.Status}");
            return Task.CompletedTask;
        }
    }
}
