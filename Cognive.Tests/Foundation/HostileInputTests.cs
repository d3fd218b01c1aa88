using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Swarm;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Foundation;

/// <summary>
/// Every operation the services document, walked with hostile values as a fresh team's admin and as nobody: bad input
/// is the caller's fault, answered with a 4xx problem details body, never a 500.
/// </summary>
public sealed class HostileInputTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task No_operation_answers_hostile_input_with_a_5xx_or_a_4xx_without_problem_details()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        var key = swarm.Queen.DefaultRequestHeaders.GetValues("X-API-Key").Single();
        var known = new Dictionary<string, Dictionary<string, Guid>>
        {
            ["api"] = await ObjectsOfAsync(swarm.Team, ct),
            ["swarm-queen"] = new()
            {
                ["agents"] = await swarm.RegisterInstanceAsync(["fuzz"], ct),
                ["tasks"] = await swarm.SubmitAsync(new { type = "fuzz" }, ct),
            },
        };
        // The largest body each service reads; over it the answer is 413 (the quota tests check that).
        var bodyLimits = new Dictionary<string, long>
        {
            ["api"] = Cognive.ApiService.Extensions.MaxRequestBodyBytes,
            ["swarm-queen"] = SharedApp.SwarmQuotas["RequestBodyBytes"],
        };
        var findings = new ConcurrentBag<string>();
        var sent = 0;
        foreach (var service in new[] { "api", "swarm-queen" })
        {
            using var documentClient = _app.App.CreateHttpClient(service, "http");
            var requests = HostileRequests.For(await documentClient.GetFromJsonAsync<JsonElement>("/openapi/v1.json", ct), known[service]).ToList();
            Assert.True(requests.Count > 20, $"{service} documents its operations");
            foreach (var caller in new[] { key, null })
            {
                // A fresh connection each request, closed by the client once it has the answer. Sharing one, the next request
                // could be sent just as Kestrel closed it after an early answer to a body it did not read; announcing
                // "Connection: close" instead, Kestrel no longer drains that body, so a body still arriving after the
                // answer can reset the socket, which the proxy in front passes on as a connection without an answer
                // (seen once in CI: an anonymous POST with the wrong content type).
                using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
                {
                    BaseAddress = _app.App.GetEndpoint(service, "http"),
                };
                if (caller is not null)
                {
                    client.DefaultRequestHeaders.Add("X-API-Key", caller);
                }

                await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
                    async (request, token) =>
                    {
                        Interlocked.Increment(ref sent);
                        if (await CheckAsync(client, request, bodyLimits[service], token) is { } finding)
                        {
                            findings.Add($"{service} {(caller is null ? "anonymous" : "admin")} {request}: {finding}");
                        }
                    });
            }
        }

        Assert.True(findings.IsEmpty, $"{findings.Count} of {sent} answers:\n{string.Join('\n', findings.Order())}");
    }

    /// <summary>One object of each kind the team can have (a second API key: the fuzz may revoke it), by path segment.</summary>
    private static async Task<Dictionary<string, Guid>> ObjectsOfAsync(TeamSession team, CancellationToken ct)
    {
        var agentId = await team.RegisterAgentAsync($"fuzz-{Guid.NewGuid():N}", ct);
        var known = new Dictionary<string, Guid> { ["agents"] = agentId, ["runs"] = await team.StartRunAsync(agentId, ct) };
        foreach (var (segment, body) in new (string, object)[]
                 {
                     ("budgets", new { name = "fuzz", amount_usd = 1m, period = "daily", mode = "soft" }),
                     ("policies", new { name = "fuzz", allowed_models = new[] { "gpt-4o-mini" } }),
                     ("webhooks", new { url = "https://example.test/hook" }),
                     ("api-keys", new { name = "fuzz" }),
                 })
        {
            using var created = await team.Client.PostAsJsonAsync($"/api/v1/{segment}", body, ct);
            Assert.True(created.IsSuccessStatusCode, $"{segment}: {await created.Content.ReadAsStringAsync(ct)}");
            known[segment] = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();
        }

        return known;
    }

    /// <summary>What is wrong with the answer to <paramref name="request"/>, or null.</summary>
    private static async Task<string?> CheckAsync(HttpClient client, HostileRequest request, long bodyLimit, CancellationToken ct)
    {
        using var message = request.Create();
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message, ct);
        }
        catch (HttpRequestException e)
        {
            // Over the service's body limit the answer is 413, but Kestrel closes a connection whose body it will not read,
            // so a client still sending may see the reset before the answer: the limit working. Anything else that drops
            // the connection is an answer without problem details; name the request rather than stop at it.
            return request.BodyBytes > bodyLimit ? null : $"no answer: {e.InnerException?.Message ?? e.Message}";
        }

        using var answer = response;
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(ct);
        var excerpt = body.Length > 300 ? body[..300] : body;
        if (status >= 500)
        {
            return $"{status} {excerpt}";
        }

        if (status < 400)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {excerpt}";
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            return root.TryGetProperty("type", out _) && root.TryGetProperty("title", out _) &&
                   root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == status
                ? null
                : $"{status} problem without type, title or its status: {excerpt}";
        }
        catch (JsonException)
        {
            return $"{status} problem that is not JSON: {excerpt}";
        }
    }
}
