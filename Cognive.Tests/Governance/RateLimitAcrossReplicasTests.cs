using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Governance;

/// <summary>A key's rate is one count in Redis, whichever API replica answers.</summary>
[Collection(BootsOwnAppHost.Name)]
public sealed class RateLimitAcrossReplicasTests(TwoApiReplicas replicas) : IClassFixture<TwoApiReplicas>
{
    [Fact]
    public async Task A_keys_rate_holds_when_its_requests_alternate_between_two_API_replicas()
    {
        var ct = TestContext.Current.CancellationToken;
        var addresses = replicas.ReplicaAddresses();
        using var team = await TeamSession.CreateAsync(replicas.App, ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "shared", rate_limit_per_minute = 20 }, ct);
        var key = (await TeamSession.ReadAsync(created, ct)).GetProperty("key").GetString()!;
        var clients = addresses.Select(address =>
        {
            var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Add("X-API-Key", key);
            return client;
        }).ToList();

        var answers = new List<(int Replica, HttpStatusCode Status, string? Remaining)>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await clients[i % 2].GetAsync("/api/v1/teams/me", ct);
            answers.Add((i % 2, response.StatusCode,
                response.Headers.TryGetValues("RateLimit-Remaining", out var remaining) ? remaining.Single() : null));
        }

        clients.ForEach(c => c.Dispose());
        Assert.Equal(2, addresses.Distinct().Count());
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 20), answers.Take(20).Select(a => a.Status));
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 10), answers.Skip(20).Select(a => a.Status));
        // One count: the replicas' answers interleave 19, 18, … 0, as a single limiter's would.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (19 - i).ToString()), answers.Take(20).Select(a => a.Remaining));
    }
}
