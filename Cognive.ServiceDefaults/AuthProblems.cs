using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>The 401 and 403 answers of every service's authentication, as problem details.</summary>
public static class AuthProblems
{
    public const string ApiKeyHeader = "X-API-Key";

    public static Task UnauthenticatedAsync(HttpContext http, string detail)
    {
        // RFC 9110: a 401 names the schemes it accepts.
        http.Response.Headers.WWWAuthenticate = $"Bearer realm=\"cognive\", ApiKey header=\"{ApiKeyHeader}\"";
        return WriteAsync(http, StatusCodes.Status401Unauthorized, "https://cognive.dev/problems/unauthenticated", "Authentication required", detail);
    }

    public static Task ForbiddenAsync(HttpContext http) =>
        WriteAsync(http, StatusCodes.Status403Forbidden, "https://cognive.dev/problems/forbidden", "Forbidden",
            "The caller lacks the permission this operation needs.");

    private static async Task WriteAsync(HttpContext http, int status, string type, string title, string detail)
    {
        http.Response.StatusCode = status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
