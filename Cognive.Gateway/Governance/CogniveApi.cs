using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Cognive.Credentials;

namespace Cognive.Gateway.Governance;

/// <summary>
/// What the gateway asks the API, with the caller's own credential, so the API's rules hold unchanged: the budget check
/// (policies, then a reservation on every hard budget), and the caller's runs. No retries: a check that reached the API
/// may have reserved, and a second one would reserve twice.
/// </summary>
public sealed class CogniveApi(IHttpClientFactory clients, TimeProvider time)
{
    public const string ClientName = "cognive-api-direct";
    private static readonly TimeSpan RunLifetime = TimeSpan.FromMinutes(1);
    private const int MaxRuns = 10_000;

    private readonly ConcurrentDictionary<(Guid TeamId, Guid RunId), (RunAnswer Run, DateTimeOffset At)> _runs = new();

    /// <summary>Holds the call against the agent's policies and hard budgets; an unpriced model reserves nothing (policies still apply).</summary>
    public async Task<BudgetVerdict> CheckAsync(HttpRequest caller, BudgetCheckBody check, CancellationToken ct)
    {
        var verdict = await SendCheckAsync(caller, check, ct);
        return verdict is { Status: HttpStatusCode.BadRequest, Problem.Errors: { } errors } && errors.ContainsKey("model")
            ? await SendCheckAsync(caller, check with { EstimatedCostUsd = 0m }, ct)
            : verdict;
    }

    /// <summary>The caller's run (null when the team has none with that id), for a minute in memory.</summary>
    public async Task<RunAnswer?> FindRunAsync(HttpRequest caller, Guid teamId, Guid runId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_runs.TryGetValue((teamId, runId), out var known) && now - known.At < RunLifetime)
        {
            return known.Run;
        }

        using var request = Authorised(caller, HttpMethod.Get, $"/api/v1/runs/{runId}");
        using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var run = (await response.Content.ReadFromJsonAsync(GatewayJson.Default.RunAnswer, ct))!;
        if (_runs.Count >= MaxRuns)
        {
            _runs.Clear();
        }

        _runs[(teamId, runId)] = (run, now);
        return run;
    }

    private async Task<BudgetVerdict> SendCheckAsync(HttpRequest caller, BudgetCheckBody check, CancellationToken ct)
    {
        using var request = Authorised(caller, HttpMethod.Post, "/api/v1/budgets/check");
        request.Content = JsonContent.Create(check, GatewayJson.Default.BudgetCheckBody);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            return new BudgetVerdict(response.StatusCode, await response.Content.ReadFromJsonAsync(GatewayJson.Default.BudgetCheckAnswer, ct),
                null, null);
        }

        var problem = response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json"
            ? await response.Content.ReadFromJsonAsync(GatewayJson.Default.ProblemAnswer, ct)
            : null;
        return new BudgetVerdict(response.StatusCode, null, problem, response.Headers.RetryAfter?.Delta);
    }

    private static HttpRequestMessage Authorised(HttpRequest caller, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        var (header, value) = IntrospectionHandler.CredentialOf(caller);
        request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }
}
