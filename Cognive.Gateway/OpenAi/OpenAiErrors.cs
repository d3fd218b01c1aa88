using System.Globalization;
using System.Text.Json.Serialization;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// Refusals and failures in OpenAI's error format (<c>{"error": {"message", "type", "param", "code"}}</c>), so OpenAI SDKs
/// raise them as their own errors with the status: 429 for budgets (with Retry-After), 403 for policies.
/// </summary>
public static class OpenAiErrors
{
    public static async Task WriteAsync(HttpContext http, int status, string message, string type, string code,
        TimeSpan? retryAfter = null)
    {
        http.Response.StatusCode = status;
        if (retryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await http.Response.WriteAsJsonAsync(new ErrorBody(new ErrorDetail(message, type, null, code)), GatewayJson.Default.ErrorBody,
            cancellationToken: http.RequestAborted);
    }

    public static Task InvalidRequestAsync(HttpContext http, string message, string code, int status = StatusCodes.Status400BadRequest) =>
        WriteAsync(http, status, message, "invalid_request_error", code);

    /// <summary>The error event a stream ends with when it fails after its first chunk (the status is already sent).</summary>
    public static byte[] StreamEvent(string message, string type, string code) =>
        [.. "data: "u8, .. System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ErrorBody(new ErrorDetail(message, type, null, code)),
            GatewayJson.Default.ErrorBody), .. "\n\n"u8];
}

public sealed record ErrorBody(ErrorDetail Error);

/// <param name="Param">Always written, as OpenAI does (null here: refusals are about the request as a whole).</param>
public sealed record ErrorDetail(string Message, string Type, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    string Code);
