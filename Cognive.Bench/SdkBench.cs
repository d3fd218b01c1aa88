using System.Diagnostics;
using Cognive.Client;
using Cognive.Client.Api;
using Cognive.Client.Chat;
using Cognive.Client.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cognive.Bench;

/// <summary>
/// What <c>UseCognive</c> costs a caller: a stand-in model that answers at once, bare and wrapped (reporting alone, and
/// with the budget check's round trip), sequential and at 64 concurrent callers; then one process reporting at a fixed
/// 20,000 calls/s while the queue is watched. The SDK talks to the API process directly (no DCP proxy), as in a cluster.
/// </summary>
public static class SdkBench
{
    private const int Concurrency = 64;
    private const int ReportCalls = 100_000;
    private const int CheckCalls = 2_000;
    private const int SustainedRate = 20_000;

    public static async Task RunAsync(BenchApp app, TimeSpan duration, CancellationToken ct)
    {
        var (key, _) = await app.CreateTeamAsync(ct);
        var address = await app.DirectAddressAsync("Cognive.ApiService", ct);
        await using var services = Services(address, key);
        var cognive = services.GetRequiredService<CogniveClient>();
        var agent = await cognive.Api.RegisterAgentAsync(new RegisterAgent("sdk-bench", "bench"), ct);
        var model = new InstantModel();
        using var reporting = model.AsBuilder().UseCognive(cognive, options => options.CheckBudget = false).Build();
        using var checking = model.AsBuilder().UseCognive(cognive).Build();
        using var run = await cognive.StartRunAsync(agent.AgentId, ct: ct);

        using var http = app.CreateClient(null, address);
        Report.Section("Ceiling: a raw HTTP round trip to the API process (GET /health/liveness)");
        var ceiling = await CallsAsync(1, 2_000, () => HealthAsync(http, ct));
        var ceilingConcurrent = await CallsAsync(Concurrency, 200, () => HealthAsync(http, ct));
        Report.Line($"sequential:            {ceiling}");
        Report.Line($"{Concurrency} concurrent callers: {ceilingConcurrent}");

        Report.Section($"Reporting alone (no budget check): {ReportCalls:N0} calls per round, per-call latency and allocation");
        await CallsAsync(1, ReportCalls, () => model.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct)); // warm-up
        await CallsAsync(1, ReportCalls, () => reporting.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct));
        await cognive.FlushAsync(TimeSpan.FromSeconds(60), ct);
        var bare = await CallsAsync(1, ReportCalls, () => model.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct));
        Report.Line($"bare model, sequential:        {bare}");
        Calls wrapped = bare;
        for (var round = 1; round <= 3; round++)
        {
            wrapped = await CallsAsync(1, ReportCalls, () => reporting.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct));
            Report.Line($"UseCognive, sequential, round {round}: {wrapped}");
            await cognive.FlushAsync(TimeSpan.FromSeconds(60), ct);
        }

        var bareConcurrent = await CallsAsync(Concurrency, ReportCalls / Concurrency, () => model.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct));
        var wrappedConcurrent = await CallsAsync(Concurrency, ReportCalls / Concurrency,
            () => reporting.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct));
        await cognive.FlushAsync(TimeSpan.FromSeconds(60), ct);
        Report.Line($"bare model, {Concurrency} concurrent:     {bareConcurrent}");
        Report.Line($"UseCognive, {Concurrency} concurrent:     {wrappedConcurrent}");

        Report.Section($"With the budget check (one round trip to the API process): {CheckCalls:N0} calls");
        await CallsAsync(1, 200, () => checking.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct)); // warm-up
        var checkedSequential = await CallsAsync(1, CheckCalls, () => checking.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct));
        var checkedConcurrent = await CallsAsync(Concurrency, CheckCalls / 10, () => checking.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct));
        await cognive.FlushAsync(TimeSpan.FromSeconds(60), ct);
        Report.Line($"sequential:            {checkedSequential}");
        Report.Line($"{Concurrency} concurrent callers: {checkedConcurrent}");

        Report.Section($"Sustained: {SustainedRate:N0} calls/s through UseCognive for {duration.TotalSeconds:F0} s");
        var before = cognive.Reporter.Statistics;
        var (offered, maxPending, samples) = await SustainAsync(reporting, cognive, duration, ct);
        var flushed = Stopwatch.StartNew();
        var drained = await cognive.FlushAsync(TimeSpan.FromSeconds(60), ct);
        var after = cognive.Reporter.Statistics;
        Report.Line($"offered: {offered / duration.TotalSeconds:N0} calls/s; sent {(after.Sent - before.Sent) / duration.TotalSeconds:N0} calls/s " +
            $"(all {after.Sent - before.Sent:N0} by {flushed.Elapsed.TotalSeconds:F1} s after the end: {drained})");
        Report.Line($"queue length, sampled each second: {string.Join(" ", samples)}; max {maxPending:N0}");
        Report.Line($"dropped {after.Dropped - before.Dropped}, rejected {after.Rejected - before.Rejected}, retries {after.Retries - before.Retries}");

        Report.Section("Against the targets");
        Report.Line($"reporting alone, p99 overhead over the bare model: sequential {wrapped.OverheadP99(bare):F1} µs, {Concurrency} concurrent {wrappedConcurrent.OverheadP99(bareConcurrent):F1} µs (target < 50 µs)");
        Report.Line($"with the budget check, p99: sequential {checkedSequential.P99Ms:F2} ms, {Concurrency} concurrent {checkedConcurrent.P99Ms:F2} ms " +
            $"(target < 3 ms; the raw round trip's p99: {ceiling.P99Ms:F2} / {ceilingConcurrent.P99Ms:F2} ms)");
        Report.Line($"sustained: {offered / duration.TotalSeconds:N0} calls/s offered, queue at most {maxPending:N0} (target: 20,000 calls/s without growth)");
    }

    private static async Task<HttpResponseMessage> HealthAsync(HttpClient http, CancellationToken ct)
    {
        var response = await http.GetAsync("/health/liveness", ct);
        response.EnsureSuccessStatusCode();
        return response;
    }

    private static ServiceProvider Services(Uri address, string key)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cognive-api"] = $"Endpoint={address};Key={key}",
            // Room for a whole sequential round: the latency rounds offer calls far faster than any API takes them.
            ["Cognive:Client:QueueCapacity"] = "1000000",
        }).Build());
        services.AddCogniveClient();
        return services.BuildServiceProvider();
    }

    /// <summary>Offers calls at the fixed rate (catching up each millisecond tick) and samples the queue each second.</summary>
    private static async Task<(long Offered, long MaxPending, List<long> Samples)> SustainAsync(IChatClient chat, CogniveClient cognive,
        TimeSpan duration, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var offered = 0L;
        var maxPending = 0L;
        var samples = new List<long>();
        var nextSample = 1.0;
        while (Stopwatch.GetElapsedTime(started) < duration && !ct.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            for (var due = (long)(elapsed * SustainedRate); offered < due; offered++)
            {
                await chat.GetResponseAsync(InstantModel.Prompt, cancellationToken: ct);
            }

            var pending = cognive.Reporter.Statistics.Pending;
            maxPending = Math.Max(maxPending, pending);
            if (elapsed >= nextSample)
            {
                samples.Add(pending);
                nextSample++;
            }

            await Task.Delay(1, ct);
        }

        return (offered, maxPending, samples);
    }

    /// <summary>Runs <paramref name="callers"/> callers of <paramref name="each"/> calls; per-call latency and allocation.</summary>
    private static async Task<Calls> CallsAsync<T>(int callers, int each, Func<Task<T>> call)
    {
        var latencies = new long[callers * each];
        var threadBytes = 0L;
        var totalBefore = GC.GetTotalAllocatedBytes(precise: true);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var allocatedOn = Environment.CurrentManagedThreadId;
            for (var i = 0; i < each; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await call();
                latencies[caller * each + i] = Stopwatch.GetTimestamp() - started;
            }

            // Only meaningful when the calls completed on the thread they started on (the stand-in answers synchronously).
            if (Environment.CurrentManagedThreadId == allocatedOn)
            {
                Interlocked.Add(ref threadBytes, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
            }
        })));
        var totalBytes = GC.GetTotalAllocatedBytes(precise: true) - totalBefore;
        Array.Sort(latencies);
        return new Calls(Micro(latencies, 0.50), Micro(latencies, 0.99), (double)threadBytes / latencies.Length, (double)totalBytes / latencies.Length);
    }

    private static double Micro(long[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)] * 1_000_000.0 / Stopwatch.Frequency;

    /// <param name="CallerBytes">Allocated per call on the calling thread.</param>
    /// <param name="TotalBytes">Allocated per call by the whole process meanwhile (the background sender included).</param>
    private sealed record Calls(double P50Us, double P99Us, double CallerBytes, double TotalBytes)
    {
        public double P99Ms => P99Us / 1000;

        public double OverheadP99(Calls bare) => P99Us - bare.P99Us;

        public override string ToString() =>
            $"p50 {P50Us,8:F1} µs, p99 {P99Us,8:F1} µs; allocated per call {CallerBytes,6:F0} B on the caller, {TotalBytes,6:F0} B in the process";
    }

    /// <summary>A model that answers at once with the same response: what is measured is everything around it.</summary>
    private sealed class InstantModel : IChatClient
    {
        public static readonly ChatMessage[] Prompt = [new(ChatRole.User, "Summarise the findings of the week in three sentences.")];
        private static readonly ChatClientMetadata Metadata = new("openai", defaultModelId: "gpt-4o-mini");
        private readonly Task<ChatResponse> _answer = Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ModelId = "gpt-4o-mini",
            Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 5, CachedInputTokenCount = 10 },
        });

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            _answer;

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(ChatClientMetadata) ? Metadata : null;

        public void Dispose()
        {
            // Holds nothing.
        }
    }
}
