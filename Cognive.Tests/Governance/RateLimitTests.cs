using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Governance;

/// <summary>Each API key's requests per minute, with the standard headers, and 429 problem details past the limit.</summary>
public sealed class RateLimitTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_key_past_its_rate_gets_429_with_retry_after_while_other_keys_go_on()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var created = await team.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "slow", rate_limit_per_minute = 5 }, ct);
        using var limited = _app.CreateApiClient((await TeamSession.ReadAsync(created, ct)).GetProperty("key").GetString());

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await limited.GetAsync("/api/v1/teams/me", ct));
        }

        using var otherKey = await team.Client.GetAsync("/api/v1/teams/me", ct);
        var refused = answers[^1];

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.All(answers[..5], a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(["4", "3", "2", "1", "0"], answers[..5].Select(a => a.Headers.GetValues("RateLimit-Remaining").Single()));
        Assert.Equal("5", answers[0].Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_000_001)]
    public async Task A_rate_out_of_bounds_is_refused(int rate)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);

        using var response = await team.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "bad", rate_limit_per_minute = rate }, ct);
        var keys = await team.GetJsonAsync("/api/v1/api-keys", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, keys.GetArrayLength());
    }
}
