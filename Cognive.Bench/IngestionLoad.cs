using System.Diagnostics;
using System.Net;
using System.Text;

namespace Cognive.Bench;

/// <summary>Simulated agents posting LLM calls through the public API.</summary>
public sealed class IngestionLoad(HttpClient client, IReadOnlyList<Guid> runIds)
{
    private static readonly string[] Models = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "o4-mini", "gpt-4.1"];
    private long _accepted;
    private long _refused;

    public long AcceptedEvents => Interlocked.Read(ref _accepted);

    public long RefusedRequests => Interlocked.Read(ref _refused);

    /// <summary>Closed loop: <paramref name="agents"/> agents each post as fast as answers come, for <paramref name="duration"/>.</summary>
    public async Task<Latencies> RunClosedLoopAsync(int agents, int batchSize, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new Latencies();
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, agents).Select(agent => Task.Run(async () =>
        {
            for (var i = 0; Stopwatch.GetTimestamp() < until; i++)
            {
                await PostAsync(agent, i, batchSize, latencies, ct);
            }
        }, ct)));
        return latencies;
    }

    /// <summary>Open loop: posts of <paramref name="batchSize"/> calls started at a fixed <paramref name="perSecond"/> rate,
    /// whatever the answers' speed.</summary>
    public async Task<Latencies> RunFixedRateAsync(int perSecond, int batchSize, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new Latencies();
        await Pacing.OpenLoopAsync(perSecond, duration, i => PostAsync(i, i, batchSize, latencies, ct), ct);
        return latencies;
    }

    private async Task PostAsync(int agent, int sequence, int batchSize, Latencies latencies, CancellationToken ct)
    {
        var runId = runIds[agent % runIds.Count];
        var (path, body) = batchSize == 1
            ? ($"/api/v1/runs/{runId}/llm-calls", Call(runId: null, agent + sequence))
            : ("/api/v1/llm-calls/batch", Batch(runId, batchSize, agent + sequence));
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync(path, content, ct);
        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            Interlocked.Add(ref _accepted, batchSize);
        }
        else
        {
            Interlocked.Increment(ref _refused);
        }
    }

    private static string Batch(Guid runId, int size, int seed)
    {
        var json = new StringBuilder("{\"events\":[");
        for (var i = 0; i < size; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(Call(runId, seed + i));
        }

        return json.Append("]}").ToString();
    }

    private static string Call(Guid? runId, int seed) =>
        $$"""{"event_id":"{{Guid.CreateVersion7()}}",{{(runId is { } id ? $"\"run_id\":\"{id}\"," : "")}}"provider":"openai","model":"{{Models[seed % Models.Length]}}","input_tokens":{{800 + seed % 400}},"output_tokens":{{150 + seed % 100}},"cached_input_tokens":{{seed % 3 * 100}},"latency_ms":{{300 + seed % 900}},"status":"{{(seed % 50 == 0 ? "error" : "success")}}","metadata":{"step":{{seed % 7}} } }""";
}
