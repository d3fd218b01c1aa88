using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cognive.Tests.Foundation;

/// <summary>One request of the fuzz: what it tries, and how to send it again (a body is made anew for every send).</summary>
public sealed record HostileRequest(string Case, HttpMethod Method, string Url, string? Body = null, string ContentType = "application/json")
{
    public long BodyBytes => Body is null ? 0 : Encoding.UTF8.GetByteCount(Body);

    public HttpRequestMessage Create() => new(Method, Url)
    {
        Content = Body is null ? null : new StringContent(Body, Encoding.UTF8, ContentType),
    };

    public override string ToString() => $"{Method} {(Url.Length > 120 ? Url[..120] + "…" : Url)} [{Case}]";
}

/// <summary>
/// Hostile requests for every operation of an OpenAPI document: its parameters and body filled from their schemas with
/// control characters, huge strings, values of the wrong type, negative and huge numbers; then deep nesting, malformed
/// JSON, the wrong content type and an undeclared method. A bounded number of requests per operation.
/// </summary>
public static class HostileRequests
{
    private const string ControlText = "x\u0000\r\nInjected: 1\u001b[31m\u2028y";

    /// <summary>
    /// In a path, without the NUL: Kestrel itself refuses an encoded NUL in the request target with an empty 400 before
    /// any middleware runs (as it answers 414 to an overlong request line).
    /// </summary>
    private const string ControlPathText = "x\r\nInjected: 1\u001b[31m\u2028y";
    private const int HugeBodyString = 100_000;

    /// <summary>
    /// The huge values of all of an operation's path and query parameters together stay under Kestrel's 8 KiB request
    /// line (Kestrel answers 414 to a longer one before any middleware runs).
    /// </summary>
    private const int HugeRequestLine = 6_000;

    private const int HugeValue = 1_500;

    private enum Mode
    {
        Control,
        Huge,
        WrongType,
        Negative,
        HugeNumbers,

        /// <summary>Numbers that fit the wire type but not what is done with them (a 64-bit maximum, 10^15 dollars).</summary>
        Boundary,
    }

    /// <param name="known">Ids of objects the caller's team has, by the path segment before the id (agents, budgets,
    /// …): hostile values then reach an existing object, not only its 404.</param>
    public static IEnumerable<HostileRequest> For(JsonElement document, IReadOnlyDictionary<string, Guid> known)
    {
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s)
            ? s
            : default;
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var declared = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Name != "parameters"))
            {
                declared.Add(operation.Name);
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                var parameters = Parameters(path.Value, operation.Value);
                var body = BodySchema(operation.Value);
                foreach (var mode in Enum.GetValues<Mode>())
                {
                    var url = Url(path.Name, parameters, mode, schemas, known);
                    yield return new HostileRequest(mode.ToString(), method, url,
                        body is { } schema ? Value(schema, mode, schemas, 0)?.ToJsonString() ?? "null" : null);
                }

                if (body is not null)
                {
                    var url = Url(path.Name, parameters, Mode.Negative, schemas, known);
                    yield return new HostileRequest("deep nesting", method, url, new string('[', 5_000) + new string(']', 5_000));
                    yield return new HostileRequest("deep object", method, url, Nested(200));
                    yield return new HostileRequest("malformed JSON", method, url, """{"name": "x", """);
                    yield return new HostileRequest("wrong content type", method, url, "name=x", "text/plain");
                    yield return new HostileRequest("no body", method, url);
                }
            }

            var undeclared = new[] { "PATCH", "PUT", "DELETE", "POST", "GET" }.First(m => !declared.Contains(m));
            yield return new HostileRequest("undeclared method", new HttpMethod(undeclared), Url(path.Name, [], Mode.Negative, schemas, known));
        }

        yield return new HostileRequest("unknown path", HttpMethod.Get, "/api/v1/no-such-thing\u0001".Replace("\u0001", "%01", StringComparison.Ordinal));
    }

    private static List<JsonElement> Parameters(JsonElement path, JsonElement operation) =>
    [
        .. new[] { path, operation }.Where(p => p.TryGetProperty("parameters", out _)).SelectMany(p => p.GetProperty("parameters").EnumerateArray()),
    ];

    private static JsonElement? BodySchema(JsonElement operation) =>
        operation.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content)
            ? content.EnumerateObject().Select(c => c.Value.TryGetProperty("schema", out var schema) ? schema : default)
                .FirstOrDefault(s => s.ValueKind == JsonValueKind.Object) is { ValueKind: JsonValueKind.Object } found ? found : null
            : null;

    private static string Url(string template, List<JsonElement> parameters, Mode mode, JsonElement schemas,
        IReadOnlyDictionary<string, Guid> known)
    {
        var url = template;
        var query = new List<string>();
        var hugeValue = new string('a', Math.Min(HugeValue, HugeRequestLine / Math.Max(1, parameters.Count(p => p.GetProperty("in").GetString() is "path" or "query"))));
        foreach (var parameter in parameters)
        {
            var name = parameter.GetProperty("name").GetString()!;
            var schema = parameter.TryGetProperty("schema", out var s) ? s : default;
            var text = mode is Mode.Huge ? hugeValue : Text(schema, mode, schemas);
            var at = template.IndexOf("{" + name + "}", StringComparison.Ordinal);
            if (at > 0 && Guid.TryParse(text, out _) && known.TryGetValue(template[..at].TrimEnd('/').Split('/')[^1], out var id))
            {
                text = id.ToString();
            }

            if (parameter.GetProperty("in").GetString() == "path")
            {
                url = url.Replace("{" + name + "}", Uri.EscapeDataString(text == ControlText ? ControlPathText : text), StringComparison.Ordinal);
            }
            else if (parameter.GetProperty("in").GetString() == "query")
            {
                query.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(text)}");
            }
        }

        return query.Count == 0 ? url : $"{url}?{string.Join('&', query)}";
    }

    /// <summary>A parameter's value as text.</summary>
    private static string Text(JsonElement schema, Mode mode, JsonElement schemas)
    {
        var (type, format) = TypeOf(Resolve(schema, schemas));
        return (mode, type) switch
        {
            (Mode.Control, _) => ControlText,
            (Mode.WrongType, "string") when format is null => "12345",
            (Mode.WrongType, _) => "not-a-number-or-id",
            (Mode.Boundary, "integer") => long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (Mode.Boundary, "number") => "1000000000000000",
            (_, "integer" or "number") => mode is Mode.Negative ? "-1" : "99999999999999999999999",
            (_, "boolean") => "true",
            _ when format == "uuid" => Guid.NewGuid().ToString(),
            _ when format == "date-time" => mode is Mode.Negative ? "0001-01-01T00:00:00Z" : "9999-12-31T23:59:59Z",
            _ => mode is Mode.Negative ? "-1" : "99999999999999999999999",
        };
    }

    /// <summary>A JSON value for <paramref name="schema"/> in <paramref name="mode"/>.</summary>
    private static JsonNode? Value(JsonElement schema, Mode mode, JsonElement schemas, int depth)
    {
        schema = Resolve(schema, schemas);
        var (type, format) = TypeOf(schema);
        if (depth > 4)
        {
            return null;
        }

        switch (type)
        {
            case "object":
                var properties = schema.TryGetProperty("properties", out var p) ? p.EnumerateObject().ToList() : [];
                if (mode is Mode.WrongType)
                {
                    return JsonValue.Create("an object was expected");
                }

                var node = new JsonObject();
                foreach (var property in properties)
                {
                    node[property.Name] = Value(property.Value, mode, schemas, depth + 1);
                }

                if (properties.Count == 0)
                {
                    // Free-form JSON (payloads, metadata, config): a NUL where PostgreSQL cannot store one, or a big value.
                    node["k"] = mode is Mode.Huge ? new string('a', HugeBodyString) : ControlText;
                }

                return node;
            case "array":
                var items = schema.TryGetProperty("items", out var i) ? i : default;
                return mode is Mode.WrongType
                    ? new JsonObject { ["not"] = "an array" }
                    : new JsonArray(Enumerable.Range(0, mode is Mode.Huge ? 3 : 1).Select(_ => Value(items, mode, schemas, depth + 1)).ToArray());
            case "integer" or "number":
                return mode switch
                {
                    Mode.WrongType => JsonValue.Create("not a number"),
                    Mode.Negative => JsonValue.Create(-1),
                    Mode.HugeNumbers => JsonNode.Parse(type == "integer" ? "99999999999999999999999" : "1e308"),
                    Mode.Boundary => JsonNode.Parse(type == "integer" ? long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : "1000000000000000"),
                    _ => JsonValue.Create(1),
                };
            case "boolean":
                return mode is Mode.WrongType ? JsonValue.Create("yes") : JsonValue.Create(true);
            case "string":
                return mode switch
                {
                    Mode.Control => JsonValue.Create(ControlText),
                    Mode.Huge => JsonValue.Create(new string('a', HugeBodyString)),
                    Mode.WrongType => JsonValue.Create(12345),
                    _ when schema.TryGetProperty("enum", out var values) => JsonValue.Create(values[0].ToString()),
                    _ when format == "uuid" => JsonValue.Create(Guid.NewGuid()),
                    _ when format == "date-time" => JsonValue.Create(mode is Mode.Negative ? "0001-01-01T00:00:00Z" : "9999-12-31T23:59:59Z"),
                    _ => JsonValue.Create(mode is Mode.Negative ? "-1" : "99999999999999999999999"),
                };
            default:
                // Any JSON at all (a JsonElement): a string with a NUL, or a big one.
                return mode is Mode.Huge ? JsonValue.Create(new string('a', HugeBodyString)) : JsonValue.Create(ControlText);
        }
    }

    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        for (var hops = 0; hops < 10 && schema.ValueKind == JsonValueKind.Object; hops++)
        {
            if (schema.TryGetProperty("$ref", out var reference) && schemas.ValueKind == JsonValueKind.Object)
            {
                schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
            }
            else if (new[] { "oneOf", "anyOf", "allOf" }.Select(k => schema.TryGetProperty(k, out var list) ? list : default)
                         .FirstOrDefault(l => l.ValueKind == JsonValueKind.Array) is { ValueKind: JsonValueKind.Array } choices)
            {
                schema = choices.EnumerateArray().FirstOrDefault(c => TypeOf(c).Type != "null");
            }
            else
            {
                break;
            }
        }

        return schema;
    }

    private static (string? Type, string? Format) TypeOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (!schema.TryGetProperty("type", out var type))
        {
            return (schema.TryGetProperty("properties", out _) ? "object" : null, format);
        }

        return (type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null")
            : type.GetString(), format);
    }

    private static string Nested(int depth) =>
        string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
}
