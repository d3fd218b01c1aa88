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
        var (key, _) = await app.CreateTeamAsync(ct);
        using var api = app.CreateClient(key);
        var agent = await PostAsync(api, "/api/v1/agents", new { name = "gateway-bench", framework = "bench" }, ct);
        var run = await PostAsync(api, "/api/v1/runs/start", new { agent_id = agent.GetProperty("agent_id").GetGuid() }, ct);
        var runId = run.GetProperty("run_id").GetGuid();
        await PostAsync(api, "/api/v1/providers",
            new { name = "fake", provider = "openai", base_url = upstream.BaseUrl, api_key = "sk-bench", @default = true }, ct);

        using var direct = Client(new Uri(upstream.BaseUrl + "/"), "sk-bench", null);
        using var gateway = Client(new Uri(await app.DirectAddressAsync("Cognive.Gateway", ct), "/v1/"), key, runId);
        Report.Line($"Fake upstream {upstream.BaseUrl}; gateway {gateway.BaseAddress} (its process, past DCP's proxy)");
        await ClosedLoop.RunAsync(8, TimeSpan.FromSeconds(3), (_, _) => SendAsync(direct, Request, ct), ct);
        var warmUp = await ClosedLoop.RunAsync(8, TimeSpan.FromSeconds(3), (_, _) => SendAsync(gateway, Request, ct), ct);

        var sent = warmUp.Requests;
        foreach (var clients in Concurrencies)
        {
            Report.Section($"Chat completions, {clients} concurrent client(s), closed loop, {duration.TotalSeconds:F0} s each way");
            var (directCount, directLatency, _) = await ClosedLoop.RunAsync(clients, duration, (_, _) => SendAsync(direct, Request, ct), ct);
            var (gatewayCount, gatewayLatency, _) = await ClosedLoop.RunAsync(clients, duration, (_, _) => SendAsync(gateway, Request, ct), ct);
            sent += gatewayCount;
            ReportAdded(directLatency, gatewayLatency, withP99: true,
                clients == 1 ? "targets: p50 < 1 ms, p99 < 3 ms" : "target: ≥ 5,000 req/s through the gateway",
                $"{directCount / duration.TotalSeconds,8:N0} req/s; ", $"{gatewayCount / duration.TotalSeconds,8:N0} req/s; ");
        }

        // A closed loop of one client keeps both cores busy (the bench, the gateway and the pipeline behind it), so its
        // tail is mostly waiting for a core; one client at a rate that leaves the machine idle shows the gateway's own tail,
        // once the pipeline has stored what the closed loops sent.
        await StoredAsync(api, runId, sent, ct);
        Report.Section($"Chat completions, 1 client paced at {PacedPerSecond} req/s (the machine not saturated), {duration.TotalSeconds:F0} s each way");
        var directPaced = await Pacing.OneAtATimeAsync(PacedPerSecond, duration, () => SucceedAsync(direct, ct), ct);
        var gatewayPaced = await Pacing.OneAtATimeAsync(PacedPerSecond, duration, () => SucceedAsync(gateway, ct), ct);
        sent += gatewayPaced.Count;
        ReportAdded(directPaced, gatewayPaced, withP99: true, "targets: p50 < 1 ms, p99 < 3 ms");
        // The gateway call adds two cross-process round trips to the direct call's one (the rate limiter's script, the
        // upstream), so what it adds is read against this run's price of one.
        var pings = await Ceilings.PacedRedisPingLatenciesAsync(await app.ConnectionStringAsync("redis", ct), PacedPerSecond, duration, ct);
        Report.Line($"ceiling:  a Redis PING at the same pace (one round trip to another process): {pings.Summary()}");

        Report.Section($"Streams: time to the first chunk, one client, {duration.TotalSeconds:F0} s each way");
        var directFirst = await FirstChunkAsync(direct, duration, ct);
        var gatewayFirst = await FirstChunkAsync(gateway, duration, ct);
        sent += gatewayFirst.Count;
        ReportAdded(directFirst, gatewayFirst, withP99: false, "target < 1 ms");

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

    /// <summary>Both sides of a phase, then what the gateway added at the median (and at p99 when asked).</summary>
    private static void ReportAdded(Latencies direct, Latencies gateway, bool withP99, string target,
        string directRate = "", string gatewayRate = "")
    {
        Report.Line($"direct:   {directRate}{direct.Summary()}");
        Report.Line($"gateway:  {gatewayRate}{gateway.Summary()}");
        var p99 = withP99 ? $", p99 {gateway.Percentile(99) - direct.Percentile(99):F2} ms" : "";
        Report.Line($"added:    p50 {gateway.Percentile(50) - direct.Percentile(50):F2} ms{p99} ({target})");
    }

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
