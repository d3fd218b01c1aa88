using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Cognive.Gateway.Otlp;
using Cognive.Gateway.Otlp.Wire;
using Npgsql;

namespace Cognive.Bench;

/// <summary>
/// The OTLP benchmark (bench/otlp.sh): exporters post protobuf ExportTraceServiceRequests of 512 spans (32 traces, each
/// a root agent span and 15 chat spans, as an SDK's batch processor sends them) to the gateway's /v1/traces as fast as
/// answers come, after a warm-up of the same load; every trace is new, so each request also makes 32 runs. Reported:
/// spans accepted per second (200 answers), and durable spans per second (calls in PostgreSQL, phase start to the last
/// one stored), beside two ceilings: the decode + mapping rate alone on one core, and raw binary COPY into llm_calls.
/// </summary>
public static class OtlpBench
{
    private const int TracesPerRequest = 32;
    private const int ChatSpansPerTrace = 15;
    private const int SpansPerRequest = TracesPerRequest * (ChatSpansPerTrace + 1);
    private const int CallsPerRequest = TracesPerRequest * ChatSpansPerTrace;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(BenchApp app, TimeSpan duration, int exporters, CancellationToken ct)
    {
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", ct).WaitAsync(TimeSpan.FromMinutes(4), ct);
        var (key, teamId) = await app.CreateTeamAsync(ct);
        var database = await app.ConnectionStringAsync("cognive", ct);
        // The gateway's own process, past DCP's proxy (as a cluster's service routes to a pod).
        using var gateway = app.CreateClient(key, await app.DirectAddressAsync("Cognive.Gateway", ct));

        Report.Section("Ceilings on this machine");
        var sample = Request(DateTimeOffset.UtcNow, 0);
        var decodeCeiling = DecodeSpansPerSecond(sample);
        Report.Line($"decode + map alone, one core:      {decodeCeiling,12:N0} spans/s ({sample.Length / SpansPerRequest} bytes a span)");
        var copyCeiling = await Ceilings.CopyRowsPerSecondAsync(database, 300_000, ct);
        Report.Line($"raw binary COPY into llm_calls:    {copyCeiling,12:N0} rows/s");

        // Bodies are made before the clock starts, so the load generator's encoding does not take the server's cores.
        var warmUpBodies = Enumerable.Range(0, (int)(WarmUp.TotalSeconds * 60)).Select(i => Request(DateTimeOffset.UtcNow, -i - 1)).ToArray();
        var bodies = Enumerable.Range(0, (int)Math.Max(64, duration.TotalSeconds * 60))
            .Select(i => Request(DateTimeOffset.UtcNow, i + 1)).ToArray();
        await PostAsync(gateway, sample, ct);
        await StoredCalls.WaitUntilAsync(database, teamId, CallsPerRequest, ct);

        // A gateway that has served exports for a while runs its code at the JIT's final tier; in its first seconds after
        // a boot, perf showed the decoder in quickly jitted and instrumented code and the JIT itself at ~10 % of the
        // gateway's CPU, competing for the two cores. The figures are for the warm gateway.
        Report.Section($"Warm-up: {exporters} exporters, closed loop, {WarmUp.TotalSeconds:F0} s (not counted)");
        var (warmCalls, _, _) = await ExportLoopAsync(gateway, warmUpBodies, exporters, WarmUp, ct);
        await StoredCalls.WaitUntilAsync(database, teamId, CallsPerRequest + warmCalls, ct);

        Report.Section($"OTLP exports: {exporters} exporters, closed loop, requests of {SpansPerRequest} spans ({CallsPerRequest} GenAI calls, {TracesPerRequest} new traces), up to {duration.TotalSeconds:F0} s");
        var storedBefore = await StoredCalls.CountAsync(database, teamId, ct);
        var started = DateTimeOffset.UtcNow;
        var ((phaseCalls, latencies, seconds), _, cores) = await Phase.WithCpuAsync(() => ExportLoopAsync(gateway, bodies, exporters, duration, ct));
        var acceptedCalls = storedBefore + phaseCalls;
        var accepted = phaseCalls * (SpansPerRequest / (double)CallsPerRequest) / seconds;
        Report.Line($"accepted: {accepted,10:N0} spans/s ({accepted * CallsPerRequest / SpansPerRequest:N0} calls/s); request latency {latencies.Summary()}");
        Phase.PrintCpu(cores);
        var (stored, at) = await StoredCalls.WaitUntilAsync(database, teamId, acceptedCalls, ct);
        var durableCalls = (stored - storedBefore) / (at - started).TotalSeconds;
        var durableSpans = durableCalls * SpansPerRequest / CallsPerRequest;
        Report.Line($"durable:  {durableSpans,10:N0} spans/s ({durableCalls:N0} calls/s in PostgreSQL, phase start to last stored; {durableCalls / copyCeiling:P0} of the COPY ceiling)");
        Report.Line($"stored {stored:N0} of {acceptedCalls:N0} accepted calls");

        Report.Section("Against the target");
        Report.Line($"OTLP spans ingested: {durableSpans:N0} spans/s durable (target ≥ 20,000); decode alone {decodeCeiling:N0} spans/s a core");
    }

    /// <summary>Exporters posting the bodies in turn until the time is up or the bodies run out: calls accepted, request latencies, seconds.</summary>
    private static async Task<(long Calls, Latencies Latencies, double Seconds)> ExportLoopAsync(HttpClient gateway, byte[][] bodies,
        int exporters, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new Latencies();
        var next = -1;
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, exporters).Select(_ => Task.Run(async () =>
        {
            int index;
            while (clock.Elapsed < duration && (index = Interlocked.Increment(ref next)) < bodies.Length)
            {
                var sent = Stopwatch.GetTimestamp();
                if (await PostAsync(gateway, bodies[index], ct))
                {
                    Interlocked.Add(ref calls, CallsPerRequest);
                }

                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }, ct)));
        return (calls, latencies, clock.Elapsed.TotalSeconds);
    }

    /// <summary>One export: 32 new traces of a root agent span and 15 chat spans each, from one service.</summary>
    private static byte[] Request(DateTimeOffset now, int sequence)
    {
        var spans = new List<OtlpSpanSpec>(SpansPerRequest);
        for (var t = 0; t < TracesPerRequest; t++)
        {
            var traceId = Guid.NewGuid().ToByteArray();
            var rootId = Guid.NewGuid().ToByteArray()[..8];
            for (var c = 0; c < ChatSpansPerTrace; c++)
            {
                spans.Add(new OtlpSpanSpec(traceId, Guid.NewGuid().ToByteArray()[..8], rootId, now.AddMilliseconds(-900 + c * 50),
                    TimeSpan.FromMilliseconds(40), Error: false,
                [
                    new("gen_ai.operation.name", "chat"), new("gen_ai.provider.name", "openai"),
                    new("gen_ai.request.model", "gpt-4o-mini"), new("gen_ai.response.model", "gpt-4o-mini"),
                    new("gen_ai.usage.input_tokens", 1200L + sequence % 100), new("gen_ai.usage.output_tokens", 300L),
                    new("gen_ai.usage.cache_read.input_tokens", 512L), new("server.address", "api.openai.com"),
                ]));
            }

            spans.Add(new OtlpSpanSpec(traceId, rootId, null, now.AddSeconds(-1), TimeSpan.FromSeconds(1), Error: false,
                [new("gen_ai.agent.name", "bench-agent")]));
        }

        return OtlpRequestWriter.Protobuf([new OtlpResourceSpec([new("service.name", "otlp-bench-agent")], spans)]);
    }

    private static double DecodeSpansPerSecond(byte[] body)
    {
        var now = DateTimeOffset.UtcNow;
        var spans = 0L;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            var traces = ProtobufTraceReader.Read(body, body.Length);
            foreach (var resource in traces.Resources)
            {
                foreach (var span in resource.Spans)
                {
                    GenAiSpans.Map(resource, span, now);
                    spans++;
                }
            }
        }

        // CPU time, not wall time: the bench shares two cores with the whole app.
        return spans / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    }

    private static async Task<bool> PostAsync(HttpClient gateway, byte[] body, CancellationToken ct)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await gateway.PostAsync("/v1/traces", content, ct);
        // Every span of the bench is valid: the partial-success body only says the root spans were ignored, and the
        // stored count at the end shows whether every call of every 200 arrived.
        return response.StatusCode == HttpStatusCode.OK;
    }
}
