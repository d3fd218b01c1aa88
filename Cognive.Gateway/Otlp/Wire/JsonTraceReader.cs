using System.Globalization;
using System.Text.Json;

namespace Cognive.Gateway.Otlp.Wire;

/// <summary>
/// Reads an <c>ExportTraceServiceRequest</c> in the OTLP/JSON encoding: lowerCamelCase keys, trace and span ids as
/// hex, 64-bit integers as decimal strings (numbers accepted too), enums as integers. Unknown keys are ignored, as
/// the specification requires of receivers.
/// </summary>
public static class JsonTraceReader
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <exception cref="JsonException">The bytes are not JSON, or a known field has the wrong kind.</exception>
    public static OtlpTraces Read(byte[] buffer, int length)
    {
        using var document = JsonDocument.Parse(buffer.AsMemory(0, length), Options);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("An ExportTraceServiceRequest is a JSON object.");
        }

        var traces = new OtlpTraces();
        foreach (var resourceSpans in Items(document.RootElement, "resourceSpans"))
        {
            var resource = new OtlpResource();
            if (resourceSpans.TryGetProperty("resource", out var resourceElement))
            {
                ReadAttributes(resourceElement, resource.Attributes);
            }

            foreach (var scopeSpans in Items(resourceSpans, "scopeSpans"))
            {
                foreach (var spanElement in Items(scopeSpans, "spans"))
                {
                    resource.Spans.Add(ReadSpan(spanElement));
                }
            }

            traces.Resources.Add(resource);
        }

        return traces;
    }

    private static OtlpSpan ReadSpan(JsonElement element)
    {
        var span = new OtlpSpan
        {
            TraceId = Hex(element, "traceId"),
            SpanId = Hex(element, "spanId"),
            HasParent = Hex(element, "parentSpanId").Length > 0,
            StartUnixNano = UInt64(element, "startTimeUnixNano"),
            EndUnixNano = UInt64(element, "endTimeUnixNano"),
        };
        if (element.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object
            && status.TryGetProperty("code", out var code))
        {
            span.Status = code.ValueKind == JsonValueKind.Number
                ? (SpanStatusCode)code.GetInt32()
                : throw new JsonException("status.code is an integer in OTLP/JSON.");
        }

        ReadAttributes(element, span.Attributes);
        return span;
    }

    private static void ReadAttributes(JsonElement owner, SpanAttributes attributes)
    {
        foreach (var keyValue in Items(owner, "attributes"))
        {
            if (keyValue.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
                && key.GetString() is { } name && SpanAttributes.IsKnown(name)
                && keyValue.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Object)
            {
                attributes.Set(name, ReadValue(value));
            }
        }
    }

    private static AttributeValue ReadValue(JsonElement value)
    {
        foreach (var property in value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "stringValue" when property.Value.ValueKind == JsonValueKind.String:
                    return new AttributeValue(property.Value.GetString(), null, null, null);
                case "intValue":
                    return new AttributeValue(null, Int64(property.Value), null, null);
                case "doubleValue" when property.Value.ValueKind == JsonValueKind.Number:
                    return new AttributeValue(null, null, property.Value.GetDouble(), null);
                case "boolValue" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    return new AttributeValue(null, null, null, property.Value.GetBoolean());
            }
        }

        return default;
    }

    private static IEnumerable<JsonElement> Items(JsonElement owner, string name) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var array)
            ? array.ValueKind switch
            {
                JsonValueKind.Array => array.EnumerateArray(),
                JsonValueKind.Null => [],
                _ => throw new JsonException($"{name} is an array in OTLP/JSON."),
            }
            : [];

    /// <summary>Ids are hex in OTLP/JSON (not base64 as in the generic protobuf mapping); a bad id is kept empty.</summary>
    private static byte[] Hex(JsonElement owner, string name)
    {
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return [];
        }

        try
        {
            return Convert.FromHexString(value.GetString()!);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    private static ulong UInt64(JsonElement owner, string name) =>
        !owner.TryGetProperty(name, out var value) ? 0
        : value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number) ? number
        : value.ValueKind == JsonValueKind.String
          && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : throw new JsonException($"{name} is an unsigned 64-bit integer in OTLP/JSON.");

    private static long Int64(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
        : value.ValueKind == JsonValueKind.String
          && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : throw new JsonException("intValue is a 64-bit integer in OTLP/JSON.");
}
