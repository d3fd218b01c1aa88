using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.ApiService.Users;

/// <summary>The answers sign-in refuses with: they name no account, so they tell nobody who exists.</summary>
public static class SignInProblems
{
    public static ProblemHttpResult InvalidCredentials(string detail) => TypedResults.Problem(
        type: "https://cognive.dev/problems/invalid-credentials", title: "Invalid credentials",
        statusCode: StatusCodes.Status401Unauthorized, detail: detail);

    /// <summary>429 with Retry-After: the account's lock holds for this client address.</summary>
    public static ProblemHttpResult Locked(HttpContext http, TimeSpan remaining)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(remaining.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(type: "https://cognive.dev/problems/sign-in-locked", title: "Sign-in locked",
            statusCode: StatusCodes.Status429TooManyRequests,
            detail: $"Too many failed logins for this account. Retry after {seconds} seconds, or from an address that signed in to it before.");
    }
}
