using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The text every service accepts from callers, one rule for all of it: no string in a JSON body, a query or the path
/// holds a control character (C0, DEL, C1, or the Unicode line and paragraph separators), so no tenant text can break
/// a mail header, forge a log line or reach PostgreSQL with a NUL (which it cannot store). Free-form JSON values (task
/// payloads, metadata) are data, not text: only NUL is refused in them. A refusal is a 400 validation problem naming
/// the field (the JSON path, the query parameter, or <c>path</c>).
/// </summary>
public static class InputText
{
    public const string Refusal = "must not hold control characters (U+0000 to U+001F, U+007F to U+009F, U+2028, U+2029).";

    public static bool HasControlCharacters(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every service's JSON reading applies the rule (the services' own JSON options add to this).</summary>
    public static IServiceCollection AddInputTextRules(this IServiceCollection services) =>
        services
            .Configure<JsonOptions>(json =>
            {
                json.SerializerOptions.Converters.Add(new ControlFreeStrings());
                json.SerializerOptions.Converters.Add(new NulFreeJson());
            })
            // Binding failures (malformed JSON, a wrong type, a refused string) are thrown to the exception handler, which
            // answers with problem details naming the field, instead of an empty 400.
            .Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);

    /// <summary>
    /// The OpenAPI document still says "string" where the rule's converter reads one (a custom converter hides the type
    /// from the schema generator).
    /// </summary>
    public static OpenApiOptions DocumentInputTextRules(this OpenApiOptions options) =>
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(string))
            {
                schema.Type = context.JsonPropertyInfo is { IsSetNullable: true } ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            }
            else if (context.JsonTypeInfo.ElementType == typeof(string) && context.JsonTypeInfo.Kind == JsonTypeInfoKind.Enumerable)
            {
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
            }

            return Task.CompletedTask;
        });

    /// <summary>Refuses a request whose path or query holds a control character, before any endpoint sees it.</summary>
    public static IApplicationBuilder UseInputTextRules(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var field = HasControlCharacters(http.Request.Path.Value) ? "path"
                : http.Request.Query.FirstOrDefault(q => HasControlCharacters(q.Key) || q.Value.Any(v => HasControlCharacters(v))).Key;
            if (field is null)
            {
                await next(http);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await Results.ValidationProblem(new Dictionary<string, string[]> { [Printable(field)] = [$"{Printable(field)} {Refusal}"] })
                .ExecuteAsync(http);
        });

    /// <summary>
    /// The validation problem of a body that could not be bound: the JSON path of what was wrong (a refused string,
    /// a wrong type, malformed JSON), or the binder's message (a missing body, a wrong content type).
    /// </summary>
    public static void DescribeBindingFailure(ProblemDetailsContext context)
    {
        if (context.HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error is not BadHttpRequestException bad)
        {
            return;
        }

        context.ProblemDetails.Detail = bad.Message;
        if (bad.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            var message = json is RefusedInputException ? $"{field} {json.Message}" : $"{field} is not valid JSON of the expected type.";
            context.ProblemDetails.Title = "One or more validation errors occurred.";
            context.ProblemDetails.Detail = message;
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        }
    }

    /// <summary>A field name as it may be echoed back: its control characters shown as code points.</summary>
    private static string Printable(string field) =>
        string.Concat(field.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' ? $"\\u{(int)c:X4}" : c.ToString()));

    /// <summary>What the rules refuse in a body (its message completes "field …").</summary>
    private sealed class RefusedInputException(string rule) : JsonException(rule);

    private sealed class ControlFreeStrings : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Checked(reader.GetString());

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Checked(reader.GetString())!;

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value);

        private static string? Checked(string? value) => value is not null && HasControlCharacters(value) ? throw new RefusedInputException(Refusal) : value;
    }

    /// <summary>Free-form JSON as it came, but without a NUL anywhere in it (PostgreSQL's jsonb and text cannot hold one).</summary>
    private sealed class NulFreeJson : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return HoldsNul(document.RootElement) ? throw new RefusedInputException("must not hold U+0000 (NUL) anywhere.") : document.RootElement.Clone();
        }

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);

        private static bool HoldsNul(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!.Contains('\0'),
            JsonValueKind.Array => element.EnumerateArray().Any(HoldsNul),
            JsonValueKind.Object => element.EnumerateObject().Any(p => p.Name.Contains('\0') || HoldsNul(p.Value)),
            _ => false,
        };
    }
}
