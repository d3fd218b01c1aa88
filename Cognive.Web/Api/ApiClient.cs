using Cognive.Web.SignIn;

namespace Cognive.Web.Api;

/// <summary>
/// A Cognive service called as the signed-in person: each request carries the person's access token (kept and refreshed
/// on the server, see <see cref="ConsoleSessions"/>), and every answer that is not a success throws an
/// <see cref="ApiProblemException"/> whose problem the shared components show in words.
/// </summary>
public abstract class ApiClient(HttpClient http, CurrentPerson person, string service)
{
    public Task<T> GetAsync<T>(string path, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Get, path, null, ct);

    public Task<T> PostAsync<T>(string path, object? body, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Post, path, body, ct);

    public Task<T> PutAsync<T>(string path, object? body, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Put, path, body, ct);

    public Task<T> PatchAsync<T>(string path, object? body, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Patch, path, body, ct);

    /// <summary>A request whose answer has no body the page needs (204, 202).</summary>
    public async Task SendAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        using var response = await ExchangeAsync(method, path, body, ct);
    }

    /// <summary>The successful answer itself, for what is not JSON (a CSV export); the caller disposes it.</summary>
    public async Task<HttpResponseMessage> ExchangeAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default)
    {
        using var request = ApiExchange.Request(method, path, await person.AccessTokenAsync(ct), body);
        return await ApiExchange.SendAsync(http, request, service, ct);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await ExchangeAsync(method, path, body, ct);
        return await ApiExchange.ReadAsync<T>(response, ct);
    }
}

/// <summary>The Cognive API (<c>https+http://api</c>): agents, runs, costs, budgets, policies, audit, keys, people, prices.</summary>
public sealed class CogniveApi(HttpClient http, CurrentPerson person) : ApiClient(http, person, "API");

/// <summary>
/// The swarm queen (<c>https+http://swarm-queen</c>): instances, tasks, recoveries. It accepts a person's bearer token
/// as the API does (it asks the API's <c>/auth/me</c> who the token is).
/// </summary>
public sealed class SwarmApi(HttpClient http, CurrentPerson person) : ApiClient(http, person, "swarm queen");
