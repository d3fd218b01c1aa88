using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Cognive.Web.Api;

/// <summary>One request to a Cognive service and its answer: a success, or an <see cref="ApiProblemException"/>.</summary>
internal static class ApiExchange
{
    public static HttpRequestMessage Request(HttpMethod method, string path, string? accessToken, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson.Options);
        }

        return request;
    }

    /// <summary>The successful answer (the caller disposes it); anything else as problem details.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string service, CancellationToken ct) =>
        SendAsync(http, request, service, HttpCompletionOption.ResponseContentRead, ct);

    /// <summary>As above; with <see cref="HttpCompletionOption.ResponseHeadersRead"/> the body streams (a CSV export passed through).</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string service,
        HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException)
        {
            throw new ApiProblemException(ApiProblem.Unreachable(service, e));
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new ApiProblemException(await ApiProblem.ReadAsync(response, ct));
        }
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        response.StatusCode == HttpStatusCode.NoContent ? default! : (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct))!;
}
