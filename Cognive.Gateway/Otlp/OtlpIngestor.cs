using System.Text.Json;
using Cognive.Gateway.Otlp.Wire;
using Cognive.Ingestion;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// Turns one decoded export into LLM-call events of the caller's team and publishes them durably: maps every span,
/// resolves the agents and runs the calls belong to (ending the runs whose root spans arrived), then publishes. Each span
/// is accepted, rejected (with a reason) or ignored on its own; only a pipeline failure fails the request.
/// </summary>
public sealed class OtlpIngestor(OtlpAgents agents, OtlpRuns runs, OtlpPublisher publisher, TimeProvider time)
{
    /// <summary>At most this many reasons are quoted in an answer; the count says how many there were.</summary>
    private const int QuotedReasons = 3;

    /// <exception cref="IngestionUnavailableException">The queue did not confirm the calls; nothing is answered as taken.</exception>
    public async Task<ExportOutcome> IngestAsync(OtlpCaller caller, OtlpTraces traces, CancellationToken ct)
    {
        var teamId = caller.TeamId;
        var now = time.GetUtcNow();
        var calls = new List<GenAiCall>();
        var reasons = new List<string>();
        var rejected = 0;
        var ignored = 0;
        var earliestStart = new Dictionary<Guid, DateTimeOffset>();
        var roots = new List<TraceEnd>();
        foreach (var resource in traces.Resources)
        {
            foreach (var span in resource.Spans)
            {
                var verdict = GenAiSpans.Map(resource, span, now);
                switch (verdict.Outcome)
                {
                    case SpanOutcome.Ignored:
                        ignored++;
                        break;
                    case SpanOutcome.Rejected:
                        Reject(Convert.ToHexStringLower(span.SpanId), verdict.Reason!);
                        break;
                    default:
                        calls.Add(verdict.Call!);
                        break;
                }

                if (span.TraceId.Length == 16)
                {
                    var traceId = new Guid(span.TraceId, bigEndian: true);
                    var start = GenAiSpans.FromUnixNano(span.StartUnixNano);
                    earliestStart[traceId] = earliestStart.TryGetValue(traceId, out var seen) && seen < start ? seen : start;
                    if (!span.HasParent)
                    {
                        roots.Add(new TraceEnd(traceId, span.Status == SpanStatusCode.Error,
                            GenAiSpans.FromUnixNano(Math.Max(span.EndUnixNano, span.StartUnixNano))));
                    }
                }
            }
        }

        var events = await ToEventsAsync(caller, calls, earliestStart, roots, now, Reject, ct);
        await publisher.PublishAsync(events, ct);

        return new ExportOutcome(events.Count, rejected, ignored, Message());

        void Reject(string spanId, string reason)
        {
            rejected++;
            if (reasons.Count < QuotedReasons)
            {
                reasons.Add($"span {spanId}: {reason}");
            }
        }

        string? Message()
        {
            var parts = new List<string>();
            if (rejected > 0)
            {
                parts.Add($"{rejected} GenAI span{(rejected == 1 ? " was" : "s were")} rejected ({string.Join("; ", reasons)}{(rejected > reasons.Count ? "; …" : "")})");
            }

            if (ignored > 0)
            {
                parts.Add($"{ignored} span{(ignored == 1 ? " is" : "s are")} not a GenAI call (no {SpanAttributes.OperationNameKey}) and {(ignored == 1 ? "was" : "were")} ignored");
            }

            return parts.Count == 0 ? null : string.Join(". ", parts) + ".";
        }
    }

    /// <summary>The calls as events of their runs; the runs of traces whose roots arrived are ended on the way.</summary>
    private async Task<List<LlmCallEvent>> ToEventsAsync(OtlpCaller caller, List<GenAiCall> calls,
        Dictionary<Guid, DateTimeOffset> earliestStart, List<TraceEnd> roots, DateTimeOffset now, Action<string, string> reject,
        CancellationToken ct)
    {
        var teamId = caller.TeamId;
        var found = calls.Count == 0 ? [] : await agents.ResolveAsync(caller, calls.Select(c => c.Agent).Distinct().ToList(), ct);
        var known = new List<(GenAiCall Call, Guid AgentId)>(calls.Count);
        foreach (var call in calls)
        {
            var agent = found[call.Agent];
            if (!agent.Exists)
            {
                reject(call.SpanId, $"the team has no agent {call.Agent.Id}");
            }
            else if (!agent.Active)
            {
                reject(call.SpanId, $"agent {call.Agent.Id?.ToString() ?? call.Agent.Name} is archived");
            }
            else
            {
                known.Add((call, agent.Id));
            }
        }

        var traces = known.GroupBy(k => k.Call.TraceId)
            .Select(g => new TraceStart(g.Key, g.First().AgentId,
                DateTimeOffset.FromUnixTimeMilliseconds(earliestStart[g.Key].ToUnixTimeMilliseconds())))
            .ToList();
        var runIds = traces.Count == 0 && roots.Count == 0 ? [] : await runs.ResolveAsync(teamId, traces, roots, ct);
        return known.Select(k => new LlmCallEvent(
            EventId: k.Call.EventId,
            TeamId: teamId,
            RunId: runIds[k.Call.TraceId],
            AgentId: k.AgentId,
            Provider: k.Call.Provider,
            Model: k.Call.Model,
            InputTokens: k.Call.InputTokens,
            OutputTokens: k.Call.OutputTokens,
            CachedInputTokens: k.Call.CachedInputTokens,
            LatencyMs: k.Call.LatencyMs,
            Status: k.Call.Status,
            OccurredAt: k.Call.OccurredAt,
            ReceivedAt: now,
            Metadata: Metadata(k.Call))).ToList();
    }

    /// <summary>Links the stored call back to its span; cache writes are kept here because no price covers them.</summary>
    private static JsonElement Metadata(GenAiCall call) => JsonSerializer.SerializeToElement(
        new OtlpCallMetadata(call.TraceId.ToString("N"), call.SpanId, call.Operation, call.CacheWriteTokens),
        OtlpJson.Default.OtlpCallMetadata);
}

/// <param name="Message">What the exporter should know: rejected spans with reasons, ignored spans; null when nothing.</param>
public sealed record ExportOutcome(int Accepted, int Rejected, int Ignored, string? Message);

public sealed record OtlpCallMetadata(string OtelTraceId, string OtelSpanId, string GenAiOperation,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    long? CacheWriteInputTokens);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OtlpCallMetadata))]
public sealed partial class OtlpJson : System.Text.Json.Serialization.JsonSerializerContext;
