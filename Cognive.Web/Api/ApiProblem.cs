using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cognive.Web.Api;

/// <summary>
/// An API answer that is not a success, in words a page can show: RFC 9457 problem details as the API sends them
/// (title, detail, field errors keyed by the request's snake_case field names), or a description of what went wrong
/// on the way (the API unreachable, the sign-in ended).
/// </summary>
public sealed record ApiProblem(int Status, string? Type, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public const string SessionEndedType = "https://cognive.dev/problems/console-session-ended";
    private const string UnreachableType = "https://cognive.dev/problems/console-api-unreachable";

    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    /// <summary>The sentence to show: the detail when the API gave one, else the title.</summary>
    public string Words => string.IsNullOrWhiteSpace(Detail) ? Title : Detail;

    /// <summary>The sign-in is over (signed out elsewhere, revoked, expired): the page offers to sign in again.</summary>
    public bool SessionEnded => Type == SessionEndedType;

    public IReadOnlyList<string> ErrorsOf(string field) => Errors.TryGetValue(field, out var errors) ? errors : [];

    public static ApiProblem Ended(string detail) =>
        new((int)HttpStatusCode.Unauthorized, SessionEndedType, "Signed out", detail, NoErrors);

    public static ApiProblem Unreachable(string service, Exception error) =>
        new((int)HttpStatusCode.ServiceUnavailable, UnreachableType, $"The {service} cannot be reached",
            $"The {service} did not answer ({error.GetType().Name}). Try again in a moment.", NoErrors);

    public static async Task<ApiProblem> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        Body? body = null;
        try
        {
            body = await response.Content.ReadFromJsonAsync<Body>(ct);
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's error page): the status line is all there is to say.
        }

        return new(status, body?.Type, body?.Title ?? response.ReasonPhrase ?? $"HTTP {status}", body?.Detail, body?.Errors ?? NoErrors);
    }

    private sealed record Body(
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("detail")] string? Detail,
        [property: JsonPropertyName("errors")] Dictionary<string, string[]>? Errors);
}

/// <summary>Thrown by the API clients for every answer that is not a success; pages catch it and show <see cref="Problem"/>.</summary>
public sealed class ApiProblemException(ApiProblem problem) : Exception(problem.Words)
{
    public ApiProblem Problem { get; } = problem;
}
