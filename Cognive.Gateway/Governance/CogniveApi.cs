using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Cognive.Credentials;

namespace Cognive.Gateway.Governance;

/// <summary>
/// What the gateway asks the API, with the caller's own credential, so the API's rules hold unchanged: the caller's runs.
/// No retries: a run started twice would be two runs.
/// </summary>
public sealed class CogniveApi(IHttpClientFactory clients, TimeProvider time)
{
    public const string ClientName = "cognive-api-direct";
    private static readonly TimeSpan RunLifetime = TimeSpan.FromMinutes(1);
    private const int MaxRuns = 10_000;

    private readonly ConcurrentDictionary<(Guid TeamId, Guid RunId), (RunAnswer Run, DateTimeOffset At)> _runs = new();

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

    private static HttpRequestMessage Authorised(HttpRequest caller, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        var (header, value) = IntrospectionHandler.CredentialOf(caller);
        request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }
}
