namespace Cognive.Gateway.Otlp.Wire;

/// <summary>
/// What Cognive reads of one OTLP trace export, whether it came as protobuf or JSON: the resources and their spans,
/// each with only the attributes the GenAI mapping looks at (see <see cref="SpanAttributes"/>).
/// </summary>
public sealed class OtlpTraces
{
    public List<OtlpResource> Resources { get; } = [];

    public int SpanCount => Resources.Sum(r => r.Spans.Count);
}

public sealed class OtlpResource
{
    public SpanAttributes Attributes { get; } = new();

    public List<OtlpSpan> Spans { get; } = [];
}

public sealed class OtlpSpan
{
    /// <summary>16 bytes when valid; anything else is rejected by the mapping, not by the decoder.</summary>
    public byte[] TraceId { get; set; } = [];

    /// <summary>8 bytes when valid.</summary>
    public byte[] SpanId { get; set; } = [];

    /// <summary>A span without a parent is the root of its trace: it closes the trace's run.</summary>
    public bool HasParent { get; set; }

    public ulong StartUnixNano { get; set; }

    public ulong EndUnixNano { get; set; }

    public SpanStatusCode Status { get; set; }

    public SpanAttributes Attributes { get; } = new();
}

/// <summary>opentelemetry.proto.trace.v1.Status.StatusCode.</summary>
public enum SpanStatusCode
{
    Unset = 0,
    Ok = 1,
    Error = 2,
}
