using System.Text.Json;
using Google.Protobuf;

namespace Cognive.Gateway.Otlp.Wire;

/// <summary>
/// The bodies OTLP/HTTP answers with, in the encoding of the request: <c>ExportTraceServiceResponse</c>
/// (partial_success = 1 { int64 rejected_spans = 1; string error_message = 2; }) on success, and
/// <c>google.rpc.Status</c> (int32 code = 1; string message = 2) for 4xx and 5xx answers, as the specification asks.
/// </summary>
public static class OtlpAnswers
{
    /// <summary>An empty partial_success (nothing rejected, nothing to say) is left out, as the specification asks.</summary>
    public static byte[] ExportResponse(OtlpEncoding encoding, long rejectedSpans, string? message)
    {
        var partial = rejectedSpans > 0 || !string.IsNullOrEmpty(message);
        if (encoding == OtlpEncoding.Json)
        {
            return partial
                ? JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
                {
                    ["partialSuccess"] = new Dictionary<string, string>
                    {
                        // int64 is a decimal string in OTLP/JSON.
                        ["rejectedSpans"] = rejectedSpans.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["errorMessage"] = message ?? "",
                    },
                })
                : "{}"u8.ToArray();
        }

        if (!partial)
        {
            return [];
        }

        var inner = CodedOutputStream.ComputeInt64Size(rejectedSpans) + 1
                    + (string.IsNullOrEmpty(message) ? 0 : CodedOutputStream.ComputeStringSize(message) + 1);
        var buffer = new byte[1 + CodedOutputStream.ComputeLengthSize(inner) + inner];
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteLength(inner);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt64(rejectedSpans);
        if (!string.IsNullOrEmpty(message))
        {
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteString(message);
        }

        output.Flush();
        return buffer;
    }

    /// <param name="code">A google.rpc.Code: 3 invalid argument, 8 resource exhausted, 14 unavailable.</param>
    public static byte[] Status(OtlpEncoding encoding, int code, string message)
    {
        if (encoding == OtlpEncoding.Json)
        {
            return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["code"] = code, ["message"] = message });
        }

        var buffer = new byte[1 + CodedOutputStream.ComputeInt32Size(code) + 1 + CodedOutputStream.ComputeStringSize(message)];
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt32(code);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(message);
        output.Flush();
        return buffer;
    }
}

public enum OtlpEncoding
{
    Protobuf,
    Json,
}
