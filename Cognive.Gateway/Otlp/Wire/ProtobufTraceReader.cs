using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cognive.Gateway.Otlp.Wire;

/// <summary>
/// Reads an <c>ExportTraceServiceRequest</c> (opentelemetry-proto, collector/trace/v1) from the protobuf wire format
/// with Google.Protobuf's <see cref="CodedInputStream"/>; no generated code. Each message Cognive reads is a small
/// reader below, named after the proto message, with the field numbers of the specification. Unknown fields, and
/// known fields sent with another wire type, are skipped, as protobuf requires.
/// </summary>
public static class ProtobufTraceReader
{
    /// <exception cref="InvalidProtocolBufferException">The bytes are not a well-formed message.</exception>
    public static OtlpTraces Read(byte[] buffer, int length)
    {
        var traces = new OtlpTraces();
        var input = new CodedInputStream(buffer, 0, length);
        new ExportTraceServiceRequest(traces).MergeFrom(input);
        return traces;
    }

    /// <summary>A tag: the field number and wire type, as they appear on the wire.</summary>
    private static uint Tag(int field, WireFormat.WireType type) => WireFormat.MakeTag(field, type);

    private const WireFormat.WireType Delimited = WireFormat.WireType.LengthDelimited;

    /// <summary>
    /// A message that can only be read: <see cref="CodedInputStream.ReadMessage"/> bounds its fields by the length
    /// prefix and calls <see cref="MergeFrom"/>; nothing here is ever written or reflected on.
    /// </summary>
    private abstract class ReadOnlyMessage : IMessage
    {
        public abstract void MergeFrom(CodedInputStream input);

        public void WriteTo(CodedOutputStream output) => throw new NotSupportedException("OTLP messages are only read.");

        public int CalculateSize() => throw new NotSupportedException("OTLP messages are only read.");

        public MessageDescriptor Descriptor => throw new NotSupportedException("OTLP messages carry no descriptor here.");
    }

    /// <summary>ExportTraceServiceRequest: repeated ResourceSpans resource_spans = 1.</summary>
    private sealed class ExportTraceServiceRequest(OtlpTraces traces) : ReadOnlyMessage
    {
        public override void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, Delimited))
                {
                    var resource = new OtlpResource();
                    input.ReadMessage(new ResourceSpans(resource));
                    traces.Resources.Add(resource);
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>ResourceSpans: Resource resource = 1; repeated ScopeSpans scope_spans = 2.</summary>
    private sealed class ResourceSpans(OtlpResource resource) : ReadOnlyMessage
    {
        public override void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, Delimited))
                {
                    input.ReadMessage(new Resource(resource.Attributes));
                }
                else if (tag == Tag(2, Delimited))
                {
                    input.ReadMessage(new ScopeSpans(resource.Spans));
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>Resource: repeated KeyValue attributes = 1.</summary>
    private sealed class Resource(SpanAttributes attributes) : ReadOnlyMessage
    {
        public override void MergeFrom(CodedInputStream input)
        {
            var keyValue = new KeyValue();
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, Delimited))
                {
                    keyValue.ReadInto(input, attributes);
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>ScopeSpans: InstrumentationScope scope = 1 (skipped); repeated Span spans = 2.</summary>
    private sealed class ScopeSpans(List<OtlpSpan> spans) : ReadOnlyMessage
    {
        public override void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(2, Delimited))
                {
                    var span = new OtlpSpan();
                    input.ReadMessage(new Span(span));
                    spans.Add(span);
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>
    /// Span: bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; fixed64 start_time_unix_nano = 7;
    /// fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; Status status = 15.
    /// </summary>
    private sealed class Span(OtlpSpan span) : ReadOnlyMessage
    {
        public override void MergeFrom(CodedInputStream input)
        {
            var keyValue = new KeyValue();
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, Delimited))
                {
                    span.TraceId = input.ReadBytes().ToByteArray();
                }
                else if (tag == Tag(2, Delimited))
                {
                    span.SpanId = input.ReadBytes().ToByteArray();
                }
                else if (tag == Tag(4, Delimited))
                {
                    span.HasParent = input.ReadBytes().Length > 0;
                }
                else if (tag == Tag(7, WireFormat.WireType.Fixed64))
                {
                    span.StartUnixNano = input.ReadFixed64();
                }
                else if (tag == Tag(8, WireFormat.WireType.Fixed64))
                {
                    span.EndUnixNano = input.ReadFixed64();
                }
                else if (tag == Tag(9, Delimited))
                {
                    keyValue.ReadInto(input, span.Attributes);
                }
                else if (tag == Tag(15, Delimited))
                {
                    input.ReadMessage(new Status(span));
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>Status: string message = 2 (skipped); StatusCode code = 3.</summary>
    private sealed class Status(OtlpSpan span) : ReadOnlyMessage
    {
        public override void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(3, WireFormat.WireType.Varint))
                {
                    span.Status = (SpanStatusCode)input.ReadEnum();
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>KeyValue: string key = 1; AnyValue value = 2. One instance is reused for a message's attributes.</summary>
    private sealed class KeyValue : ReadOnlyMessage
    {
        private readonly AnyValue _value = new();
        private string? _key;

        public void ReadInto(CodedInputStream input, SpanAttributes attributes)
        {
            _key = null;
            _value.Clear();
            input.ReadMessage(this);
            if (_key is not null && SpanAttributes.IsKnown(_key))
            {
                attributes.Set(_key, _value.Value);
            }
        }

        public override void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, Delimited))
                {
                    _key = input.ReadString();
                }
                else if (tag == Tag(2, Delimited) && (_key is null || SpanAttributes.IsKnown(_key)))
                {
                    input.ReadMessage(_value);
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }

    /// <summary>
    /// AnyValue: oneof string_value = 1, bool_value = 2, int_value = 3 (int64), double_value = 4; array_value = 5,
    /// kvlist_value = 6 and bytes_value = 7 are skipped (no mapped attribute has those kinds).
    /// </summary>
    private sealed class AnyValue : ReadOnlyMessage
    {
        public AttributeValue Value { get; private set; }

        public void Clear() => Value = default;

        public override void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == Tag(1, Delimited))
                {
                    Value = new AttributeValue(input.ReadString(), null, null, null);
                }
                else if (tag == Tag(2, WireFormat.WireType.Varint))
                {
                    Value = new AttributeValue(null, null, null, input.ReadBool());
                }
                else if (tag == Tag(3, WireFormat.WireType.Varint))
                {
                    Value = new AttributeValue(null, input.ReadInt64(), null, null);
                }
                else if (tag == Tag(4, WireFormat.WireType.Fixed64))
                {
                    Value = new AttributeValue(null, null, input.ReadDouble(), null);
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
    }
}
