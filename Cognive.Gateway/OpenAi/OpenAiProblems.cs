using Microsoft.AspNetCore.WebUtilities;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// Every error the pipeline answers under OpenAI's <c>/v1</c> routes — 401 and 403 from authentication, 429 from the
/// per-key rate limit (with Retry-After), 413 and 400 from Kestrel, 404 and 405 from routing, 500 — goes out in OpenAI's
/// error format rather than as problem details, so OpenAI SDKs raise it as their own error with its message and status.
/// The code is the problem's stable type (<c>https://cognive.dev/problems/rate-limited</c> → <c>rate_limited</c>).
/// OTLP's <c>/v1/traces</c> keeps the problem details its specification leaves open.
/// </summary>
public sealed class OpenAiProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => IsOpenAiPath(context.HttpContext.Request.Path);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        var message = problem.Detail ?? problem.Title ?? ReasonPhrases.GetReasonPhrase(status);
        var code = problem.Type is { } type && type.StartsWith("https://cognive.dev/problems/", StringComparison.Ordinal)
            ? type["https://cognive.dev/problems/".Length..].Replace('-', '_')
            : ReasonPhrases.GetReasonPhrase(status).ToLowerInvariant().Replace(' ', '_');
        return new ValueTask(http.Response.WriteAsJsonAsync(new ErrorBody(new ErrorDetail(message, TypeOf(status), null, code)),
            GatewayJson.Default.ErrorBody, contentType: null, http.RequestAborted));
    }

    public static bool IsOpenAiPath(PathString path) => path.StartsWithSegments("/v1") && !path.StartsWithSegments("/v1/traces");

    /// <summary>OpenAI's error types by status.</summary>
    private static string TypeOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };
}
