using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Cognive.Tests.Gateway;

namespace Cognive.Bench;

/// <summary>
/// What the gateway adds: the same chat-completion requests sent straight to a fake upstream on this machine and through
/// the gateway (its own process address, past DCP's proxy), in one run, at 1 and 64 concurrent clients; and the time to
/// the first streamed chunk both ways. Every gateway call is held against budgets and policies (in the gateway's own process)
/// and recorded.
/// </summary>
public static class GatewayBench
{
    private static readonly int[] Concurrencies = [1, 64];
    private const int PacedPerSecond = 200;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);

    private static readonly byte[] Request = JsonSerializer.SerializeToUtf8Bytes(new
    {
        model = "gpt-4o-mini", max_tokens = 64, messages = new[] { new { role = "user", content = "A benchmark request of ordinary size." } },
    });

    private static readonly byte[] StreamRequest = JsonSerializer.SerializeToUtf8Bytes(new
    {
        model = "gpt-4o-mini", max_tokens = 64, stream = true,
        messages = new[] { new { role = "user", content = "A benchmark request of ordinary size." } },
    });

    public static async Task RunAsync(BenchApp app, TimeSpan duration, CancellationToken ct)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var relay = await BareRelay.StartAsync(upstream.BaseUrl, ct);
        var (key, _) = await app.CreateTeamAsync(ct);
        using var api = app.CreateClient(key);
        var agent = await PostAsync(api, "/api/v1/agents", new { name = "gateway-bench", framework = "bench" }, ct);
        var run = await PostAsync(api, "/api/v1/runs/start", new { agent_id = agent.GetProperty("agent_id").GetGuid() }, ct);
        var runId = run.GetProperty("run_id").GetGuid();
        await PostAsync(api, "/api/v1/providers",
            new { name = "fake", provider = "openai", base_url = upstream.BaseUrl, api_key = "sk-bench", @default = true }, ct);

        using var direct = Client(new Uri(upstream.BaseUrl + "/"), "sk-bench", null);
        using var relayed = Client(new Uri(relay.BaseUrl + "/"), "sk-bench", null);
        using var gateway = Client(new Uri(await app.DirectAddressAsync("Cognive.Gateway", ct), "/v1/"), key, runId);
        Report.Line($"Fake upstream {upstream.BaseUrl} (in this process); bare relay {relay.BaseUrl} (its own process);");
        Report.Line($"gateway {gateway.BaseAddress} (its process, past DCP's proxy)");
        (string Name, HttpClient Client)[] eachWay = [("direct", direct), ("relay", relayed), ("gateway", gateway)];
        // The JIT tiers a fresh process's hot paths up for tens of seconds after their first requests, and on this machine
        // that compilation took a third of the gateway's CPU in an unwarmed 64-client phase (perf; dotnet-counters showed up
        // to 0.9 s of JIT a second). Each way first runs the measured shapes unmeasured, so the figures are a running
        // gateway's, not its first minute's.
        long sent = 0;
        foreach (var (_, client) in eachWay)
        {
            var warmUp = (await ClosedLoop.RunAsync(1, WarmUp, (_, _) => SendAsync(client, Request, ct), ct)).Requests
                + (await ClosedLoop.RunAsync(64, 2 * WarmUp, (_, _) => SendAsync(client, Request, ct), ct)).Requests
                + (await FirstChunkAsync(client, WarmUp, ct)).Count;
            sent += client == gateway ? warmUp : 0;
        }

        // Each gateway measurement starts once the pipeline has stored every call sent before it: on two cores, the workers
        // and PostgreSQL catching up on a warm-up's calls took the cores the gateway needed (perf: the gateway got 0.38).
        async Task<List<Way>> MeasureEachWayAsync(Func<string, HttpClient, Task<Way>> measure)
        {
            var ways = new List<Way>();
            foreach (var (name, client) in eachWay)
            {
                if (client == gateway)
                {
                    var (stored, _) = await StoredAsync(api, runId, sent, ct);
                    if (stored < sent)
                    {
                        Report.Line($"warning:  the pipeline had stored {stored:N0} of {sent:N0} calls after two minutes; this way is measured while it catches up");
                    }
                }

                var (way, _, cores) = await Phase.WithCpuAsync(() => measure(name, client));
                sent += client == gateway ? way.Latencies.Count : 0;
                ways.Add(way with { Cores = cores });
            }

            return ways;
        }

        foreach (var clients in Concurrencies)
        {
            Report.Section($"Chat completions, {clients} concurrent client(s), closed loop, {duration.TotalSeconds:F0} s each way");
            async Task<Way> ClosedLoopAsync(string name, HttpClient client)
            {
                var (count, latency, _) = await ClosedLoop.RunAsync(clients, duration, (_, _) => SendAsync(client, Request, ct), ct);
                return new Way(name, latency, $"{count / duration.TotalSeconds,8:N0} req/s; ");
            }

            var ways = await MeasureEachWayAsync(ClosedLoopAsync);
            ReportAdded(ways, withP99: true, clients == 1 ? "targets: p50 < 1 ms, p99 < 3 ms" : "target: ≥ 5,000 req/s through the gateway");
            if (clients > 1)
            {
                // Here the gateway shares the two cores with the clients, the fake upstream and the store; its own CPU per
                // request says what cores of its own would give it.
                var (rate, cores) = (ways[2].Latencies.Count / duration.TotalSeconds, ways[2].Cores.GetValueOrDefault("gateway"));
                Report.Line($"          the gateway's own CPU: {cores * 1000 / rate:F3} ms a request, so {Environment.ProcessorCount} cores of its own " +
                    $"would serve about {Environment.ProcessorCount * rate / cores:N0} req/s (an extrapolation, not a measurement)");
                continue;
            }

            // On two cores the store behind the gateway (the workers and PostgreSQL, storing every call as it comes) takes
            // cores the closed loop's next request waits for. The same loop once more with the workers paused shows how much
            // of the gateway's tail is the co-located store's, not the gateway's.
            var (caughtUp, _) = await StoredAsync(api, runId, sent, ct);
            Report.Line($"          then the gateway again with the workers paused (SIGSTOP, after the store caught up: {caughtUp:N0} of {sent:N0}):");
            var (paused, _, pausedCores) = await Phase.WithCpuAsync(async () =>
            {
                await using var pause = await PausedWorkers.PauseAsync();
                return await ClosedLoopAsync("paused", gateway);
            });
            sent += paused.Latencies.Count;
            Report.Line($"paused:   {paused.Rate}{paused.Latencies.Summary()}");
            Report.Line($"added:    {Difference(paused.Latencies, ways[0].Latencies, withP99: true)} over direct, nothing stored meanwhile " +
                "(RabbitMQ confirms every call; the workers store them once continued)");
            Phase.PrintCpu(pausedCores, " through the gateway, the workers paused");
        }

        // A closed loop of one client keeps both cores busy (the bench, the gateway and the pipeline behind it), so its
        // tail is mostly waiting for a core; one client at a rate that leaves the machine idle shows the gateway's own tail.
        Report.Section($"Chat completions, 1 client paced at {PacedPerSecond} req/s (the machine not saturated), {duration.TotalSeconds:F0} s each way");
        var paced = await MeasureEachWayAsync(async (name, client) =>
            new Way(name, await Pacing.OneAtATimeAsync(PacedPerSecond, duration, () => SucceedAsync(client, ct), ct)));
        ReportAdded(paced, withP99: true, "targets: p50 < 1 ms, p99 < 3 ms");
        // Beyond the relay's hop, the gateway call makes one more cross-process round trip (the rate limiter's script),
        // so what it adds is read against this run's price of one.
        var pings = await Ceilings.PacedRedisPingLatenciesAsync(await app.ConnectionStringAsync("redis", ct), PacedPerSecond, duration, ct);
        Report.Line($"ceiling:  a Redis PING at the same pace (one round trip to another process): {pings.Summary()}");

        Report.Section($"Streams: time to the first chunk, one client, {duration.TotalSeconds:F0} s each way");
        var streams = await MeasureEachWayAsync(async (name, client) => new Way(name, await FirstChunkAsync(client, duration, ct)));
        ReportAdded(streams, withP99: false, "target < 1 ms");

        var (stored, waited) = await StoredAsync(api, runId, sent, ct);
        Report.Section("Recorded");
        Report.Line($"{stored:N0} of {sent:N0} gateway calls stored in the run (waited {waited.TotalSeconds:F0} s after the last)");
    }

    /// <summary>The run's stored calls once they reach <paramref name="sent"/> (or after two minutes), and how long that took.</summary>
    private static async Task<(long Stored, TimeSpan Waited)> StoredAsync(HttpClient api, Guid runId, long sent, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        long stored = 0;
        while (waited.Elapsed < TimeSpan.FromSeconds(120) && stored < sent)
        {
            stored = (await GetAsync(api, $"/api/v1/runs/{runId}", ct)).GetProperty("totals").GetProperty("calls").GetInt64();
            await Task.Delay(500, ct);
        }

        return (stored, waited.Elapsed);
    }

    /// <summary>One way of sending a phase's requests (direct, through the bare relay, through the gateway) and its figures.</summary>
    private sealed record Way(string Name, Latencies Latencies, string Rate = "")
    {
        /// <summary>Cores each process group used while this way was measured (the bench process sends and plays the upstream).</summary>
        public IReadOnlyDictionary<string, double> Cores { get; init; } = new Dictionary<string, double>();
    }

    /// <summary>Each way of a phase (direct, relay, gateway), then what the gateway added over direct, and over the relay
    /// (its own work, without the price of the extra process), at the median and at p99 when asked.</summary>
    private static void ReportAdded(IReadOnlyList<Way> ways, bool withP99, string target)
    {
        foreach (var way in ways)
        {
            Report.Line($"{way.Name + ":",-9} {way.Rate}{way.Latencies.Summary()}");
        }

        var (direct, relay, gateway) = (ways[0].Latencies, ways[1].Latencies, ways[2].Latencies);
        Report.Line($"added:    {Difference(gateway, direct, withP99)} over direct ({target})");
        Report.Line($"          {Difference(gateway, relay, withP99)} over the bare relay, whose own hop added {Difference(relay, direct, withP99)}");
        Phase.PrintCpu(ways[2].Cores, " through the gateway");
    }

    private static string Difference(Latencies more, Latencies less, bool withP99) =>
        $"p50 {more.Percentile(50) - less.Percentile(50):F2} ms" + (withP99 ? $", p99 {more.Percentile(99) - less.Percentile(99):F2} ms" : "");

    private static async Task SucceedAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await SendAsync(client, Request, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Time from sending a streamed request to its first complete SSE event; the rest of the stream is read and dropped.</summary>
    private static async Task<Latencies> FirstChunkAsync(HttpClient client, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new Latencies();
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var buffer = new byte[8192];
        while (Stopwatch.GetTimestamp() < until)
        {
            var started = Stopwatch.GetTimestamp();
            using var request = Post(StreamRequest);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var seen = new StringBuilder();
            int read;
            var first = true;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (first && seen.ToString().Contains("\n\n", StringComparison.Ordinal))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    first = false;
                }
            }
        }

        return latencies;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, byte[] body, CancellationToken ct) => client.SendAsync(Post(body), ct);

    private static HttpRequestMessage Post(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private static HttpClient Client(Uri baseAddress, string bearer, Guid? runId)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (runId is { } id)
        {
            client.DefaultRequestHeaders.Add("Cognive-Run-Id", id.ToString());
        }

        return client;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(path, body, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path, CancellationToken ct) =>
        await client.GetFromJsonAsync<JsonElement>(path, ct);
}
