using System.Globalization;
using System.Text.Json;
using Google.Protobuf;

namespace Cognive.Bench;

/// <summary>One span to encode: ids as bytes (16 and 8), attributes as string, long or double values.</summary>
public sealed record OtlpSpanSpec(byte[] TraceId, byte[] SpanId, byte[]? ParentSpanId, DateTimeOffset Start, TimeSpan Duration,
    bool Error, IReadOnlyList<KeyValuePair<string, object>> Attributes);

public sealed record OtlpResourceSpec(IReadOnlyList<KeyValuePair<string, object>> Attributes, IReadOnlyList<OtlpSpanSpec> Spans);

/// <summary>
/// Encodes ExportTraceServiceRequest bodies (protobuf and OTLP/JSON) the way an exporter would, for the OTLP benchmark
/// and the tests that need bodies an SDK would never send (duplicates, partial garbage, hand-picked attributes).
/// Field numbers are opentelemetry-proto's: request.resource_spans = 1; ResourceSpans.resource = 1, scope_spans = 2;
/// Resource.attributes = 1; ScopeSpans.spans = 2; Span.trace_id = 1, span_id = 2, parent_span_id = 4, name = 5,
/// start = 7, end = 8, attributes = 9, status = 15; Status.code = 3; KeyValue.key = 1, value = 2;
/// AnyValue.string_value = 1, int_value = 3, double_value = 4.
/// </summary>
public static class OtlpRequestWriter
{
    public static byte[] Protobuf(IEnumerable<OtlpResourceSpec> resources)
    {
        var request = new MemoryStream();
        var output = new CodedOutputStream(request);
        foreach (var resource in resources)
        {
            WriteMessage(output, 1, resourceSpans =>
            {
                WriteMessage(resourceSpans, 1, r => WriteAttributes(r, 1, resource.Attributes));
                WriteMessage(resourceSpans, 2, scope =>
                {
                    foreach (var span in resource.Spans)
                    {
                        WriteMessage(scope, 2, s => WriteSpan(s, span));
                    }
                });
            });
        }

        output.Flush();
        return request.ToArray();
    }

    public static byte[] Json(IEnumerable<OtlpResourceSpec> resources) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        resourceSpans = resources.Select(resource => new
        {
            resource = new { attributes = JsonAttributes(resource.Attributes) },
            scopeSpans = new[]
            {
                new
                {
                    scope = new { name = "cognive.bench" },
                    spans = resource.Spans.Select(span => new
                    {
                        traceId = Convert.ToHexStringLower(span.TraceId),
                        spanId = Convert.ToHexStringLower(span.SpanId),
                        parentSpanId = span.ParentSpanId is null ? "" : Convert.ToHexStringLower(span.ParentSpanId),
                        name = "chat",
                        kind = 3,
                        startTimeUnixNano = UnixNano(span.Start).ToString(CultureInfo.InvariantCulture),
                        endTimeUnixNano = UnixNano(span.Start + span.Duration).ToString(CultureInfo.InvariantCulture),
                        attributes = JsonAttributes(span.Attributes),
                        status = new { code = span.Error ? 2 : 0 },
                    }),
                },
            },
        }),
    });

    private static void WriteSpan(CodedOutputStream output, OtlpSpanSpec span)
    {
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(span.TraceId));
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(span.SpanId));
        if (span.ParentSpanId is not null)
        {
            output.WriteTag(4, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(span.ParentSpanId));
        }

        output.WriteTag(5, WireFormat.WireType.LengthDelimited);
        output.WriteString("chat");
        output.WriteTag(7, WireFormat.WireType.Fixed64);
        output.WriteFixed64(UnixNano(span.Start));
        output.WriteTag(8, WireFormat.WireType.Fixed64);
        output.WriteFixed64(UnixNano(span.Start + span.Duration));
        WriteAttributes(output, 9, span.Attributes);
        if (span.Error)
        {
            WriteMessage(output, 15, status =>
            {
                status.WriteTag(3, WireFormat.WireType.Varint);
                status.WriteEnum(2);
            });
        }
    }

    private static void WriteAttributes(CodedOutputStream output, int field, IEnumerable<KeyValuePair<string, object>> attributes)
    {
        foreach (var (key, value) in attributes)
        {
            WriteMessage(output, field, keyValue =>
            {
                keyValue.WriteTag(1, WireFormat.WireType.LengthDelimited);
                keyValue.WriteString(key);
                WriteMessage(keyValue, 2, any =>
                {
                    switch (value)
                    {
                        case string text:
                            any.WriteTag(1, WireFormat.WireType.LengthDelimited);
                            any.WriteString(text);
                            break;
                        case double real:
                            any.WriteTag(4, WireFormat.WireType.Fixed64);
                            any.WriteDouble(real);
                            break;
                        default:
                            any.WriteTag(3, WireFormat.WireType.Varint);
                            any.WriteInt64(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                            break;
                    }
                });
            });
        }
    }

    private static object[] JsonAttributes(IEnumerable<KeyValuePair<string, object>> attributes) =>
        attributes.Select(a => (object)new
        {
            key = a.Key,
            value = a.Value switch
            {
                string text => (object)new { stringValue = text },
                double real => new { doubleValue = real },
                // int64 is a decimal string in OTLP/JSON.
                var whole => new { intValue = Convert.ToInt64(whole, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) },
            },
        }).ToArray();

    /// <summary>Writes a nested message as a length-delimited field: encoded apart first, to know its length.</summary>
    private static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> write)
    {
        var inner = new MemoryStream();
        var innerOutput = new CodedOutputStream(inner);
        write(innerOutput);
        innerOutput.Flush();
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(inner.GetBuffer(), 0, (int)inner.Length));
    }

    private static ulong UnixNano(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;
}
