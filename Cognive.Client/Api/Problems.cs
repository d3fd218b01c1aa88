using System.Net;
using System.Text.Json;

namespace Cognive.Client.Api;

/// <summary>Turns an error answer (RFC 9457 problem details) into the typed exception for it.</summary>
internal static class Problems
{
    public static async Task<CogniveApiException> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        JsonElement problem = default;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (body.Length > 0)
            {
                problem = JsonDocument.Parse(body).RootElement;
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's page): the status alone says what happened.
        }

        return From(response.StatusCode, problem);
    }

    public static CogniveApiException From(HttpStatusCode status, JsonElement problem)
    {
        var type = Text(problem, "type");
        var (title, detail) = (Text(problem, "title"), Text(problem, "detail"));
        return type switch
        {
            ProblemTypes.BudgetExceeded => new CogniveBudgetExceededException(title, detail, Guid(problem, "budget_id"),
                Number(problem, "limit"), Number(problem, "spent"), Time(problem, "resets_at")),
            ProblemTypes.PolicyViolation => new CognivePolicyViolationException(title, detail, Guid(problem, "policy_id"),
                Text(problem, "policy"), Text(problem, "rule")),
            _ when status == HttpStatusCode.BadRequest && Property(problem, "errors") is { ValueKind: JsonValueKind.Object } errors =>
                new CogniveValidationException(title, detail, errors.EnumerateObject().ToDictionary(e => e.Name,
                    e => e.Value.ValueKind == JsonValueKind.Array ? e.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToArray() : [])),
            _ => new CogniveApiException(status, type, title ?? status.ToString(), detail),
        };
    }

    public static string? Text(JsonElement problem, string name) =>
        Property(problem, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static JsonElement? Property(JsonElement problem, string name) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var value) ? value : null;

    private static Guid? Guid(JsonElement problem, string name) =>
        Property(problem, name) is { ValueKind: JsonValueKind.String } value && value.TryGetGuid(out var id) ? id : null;

    private static decimal? Number(JsonElement problem, string name) =>
        Property(problem, name) is { ValueKind: JsonValueKind.Number } value ? value.GetDecimal() : null;

    private static DateTimeOffset? Time(JsonElement problem, string name) =>
        Property(problem, name) is { ValueKind: JsonValueKind.String } value && value.TryGetDateTimeOffset(out var time) ? time : null;
}
