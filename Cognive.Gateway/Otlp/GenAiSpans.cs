using System.Security.Cryptography;
using Cognive.Data.Telemetry;
using Cognive.Gateway.Otlp.Wire;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// Which spans are LLM calls, and what call each one is (OpenTelemetry GenAI semantic conventions): a span with
/// <c>gen_ai.operation.name</c> is a call; everything else is counted and ignored. A call span that cannot be stored
/// (no model, no provider, no agent, impossible numbers) is rejected with a reason the exporter's logs will show.
/// </summary>
public static class GenAiSpans
{
    public const int MaxProviderLength = 100;
    public const int MaxModelLength = 200;
    public const long MaxTokens = 100_000_000;
    public const int MaxLatencyMs = 24 * 60 * 60 * 1000;
    private const int MaxAgentNameLength = 200;

    public static SpanVerdict Map(OtlpResource resource, OtlpSpan span, DateTimeOffset now)
    {
        var attributes = span.Attributes;
        if (string.IsNullOrWhiteSpace(attributes.OperationName))
        {
            return SpanVerdict.Ignored;
        }

        if (span.TraceId.Length != 16 || span.TraceId.AsSpan().IndexOfAnyExcept((byte)0) < 0
            || span.SpanId.Length != 8 || span.SpanId.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return SpanVerdict.Reject("its trace_id or span_id is missing or not 16/8 bytes");
        }

        var provider = Text(attributes.ProviderName) ?? Text(attributes.System);
        if (provider is null or { Length: > MaxProviderLength })
        {
            return SpanVerdict.Reject($"it has no {SpanAttributes.ProviderNameKey} (or {SpanAttributes.SystemKey}) of 1 to {MaxProviderLength} characters");
        }

        var model = Text(attributes.ResponseModel) ?? Text(attributes.RequestModel);
        if (model is null or { Length: > MaxModelLength })
        {
            return SpanVerdict.Reject($"it has no {SpanAttributes.ResponseModelKey} (or {SpanAttributes.RequestModelKey}) of 1 to {MaxModelLength} characters");
        }

        var agent = AgentOf(resource, span);
        if (agent is null)
        {
            return SpanVerdict.Reject($"it names no agent: set {SpanAttributes.AgentIdKey} to an agent id, or the resource's {SpanAttributes.ServiceNameKey} (up to {MaxAgentNameLength} characters)");
        }

        var input = attributes.InputTokens ?? 0;
        var output = attributes.OutputTokens ?? 0;
        var cacheRead = attributes.CacheReadTokens ?? 0;
        if (input is < 0 or > MaxTokens || output is < 0 or > MaxTokens || cacheRead is < 0 or > MaxTokens
            || attributes.CacheWriteTokens is < 0 or > MaxTokens)
        {
            return SpanVerdict.Reject($"a gen_ai.usage token count is outside 0 to {MaxTokens}");
        }

        // The conventions count cache reads inside input_tokens; an instrumentation that reports more cache reads
        // than input reports them beside it (Anthropic's usage shape), so they are added.
        if (cacheRead > input)
        {
            input += cacheRead;
        }

        var occurredAt = FromUnixNano(span.StartUnixNano);
        if (occurredAt > now + TelemetrySchema.FurthestFutureCall)
        {
            return SpanVerdict.Reject("it starts in the future");
        }

        if (occurredAt < now - TelemetrySchema.OldestAcceptedCall)
        {
            return SpanVerdict.Reject($"it started more than {TelemetrySchema.OldestAcceptedCall.TotalDays} days ago");
        }

        var latencyMs = span.EndUnixNano <= span.StartUnixNano ? 0
            : (int)Math.Min((span.EndUnixNano - span.StartUnixNano) / 1_000_000, MaxLatencyMs);
        return new SpanVerdict(SpanOutcome.Call, null, new GenAiCall(
            EventId: EventIdOf(span.TraceId, span.SpanId),
            TraceId: new Guid(span.TraceId, bigEndian: true),
            SpanId: Convert.ToHexStringLower(span.SpanId),
            Operation: attributes.OperationName!.Trim(),
            // Prices are looked up by provider and model in lower case, as the API stores them.
            Provider: provider.ToLowerInvariant(),
            Model: model.ToLowerInvariant(),
            InputTokens: input,
            OutputTokens: output,
            CachedInputTokens: cacheRead,
            CacheWriteTokens: attributes.CacheWriteTokens,
            LatencyMs: latencyMs,
            Status: span.Status == SpanStatusCode.Error ? "error" : "success",
            OccurredAt: occurredAt,
            EndedAt: FromUnixNano(Math.Max(span.EndUnixNano, span.StartUnixNano)),
            Agent: agent.Value));
    }

    /// <summary>
    /// The call's event id: a UUID (version 8, RFC 9562) from SHA-256 of the trace id and span id, so a span exported
    /// twice (exporter retries, a collector fanning out twice) is the same event and the workers store it once.
    /// </summary>
    public static Guid EventIdOf(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId)
    {
        Span<byte> ids = stackalloc byte[24];
        traceId.CopyTo(ids);
        spanId.CopyTo(ids[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(ids[..(traceId.Length + spanId.Length)], hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    public static DateTimeOffset FromUnixNano(ulong nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(nanos / 100, (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks));

    /// <summary>The span's own cognive.agent_id wins over the resource's; without either, service.name names the agent.</summary>
    private static AgentRef? AgentOf(OtlpResource resource, OtlpSpan span)
    {
        var id = Text(span.Attributes.AgentId) ?? Text(resource.Attributes.AgentId);
        if (id is not null)
        {
            return Guid.TryParse(id, out var agentId) && agentId != Guid.Empty ? new AgentRef(agentId, null) : null;
        }

        return Text(resource.Attributes.ServiceName) is { Length: <= MaxAgentNameLength } name ? new AgentRef(null, name) : null;
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public enum SpanOutcome
{
    Ignored,
    Rejected,
    Call,
}

public readonly record struct SpanVerdict(SpanOutcome Outcome, string? Reason, GenAiCall? Call)
{
    public static SpanVerdict Ignored => new(SpanOutcome.Ignored, null, null);

    public static SpanVerdict Reject(string reason) => new(SpanOutcome.Rejected, reason, null);
}

/// <summary>Who made a call: an agent id given by the exporter, or the name of one of the team's agents.</summary>
public readonly record struct AgentRef(Guid? Id, string? Name);

/// <summary>A GenAI span mapped to an LLM call, before its team's agent and run are known.</summary>
public sealed record GenAiCall(
    Guid EventId,
    Guid TraceId,
    string SpanId,
    string Operation,
    string Provider,
    string Model,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long? CacheWriteTokens,
    int LatencyMs,
    string Status,
    DateTimeOffset OccurredAt,
    DateTimeOffset EndedAt,
    AgentRef Agent);
