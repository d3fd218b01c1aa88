using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using static System.Net.HttpStatusCode;

namespace Cognive.Tests.Governance;

/// <summary>A key that expires cannot live on through the keys it makes: theirs expire no later than its own.</summary>
public sealed class KeyExpiryTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_key_that_expires_cannot_mint_a_key_that_outlives_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var expiry = DateTimeOffset.UtcNow.AddHours(1);
        using var expiring = _app.CreateApiClient(await CreateKeyAsync(team, expiry, ["key:write", "agent:read"], ct));

        using var later = await expiring.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "outlives", scopes = new[] { "agent:read" }, expires_at = expiry.AddDays(1) }, ct);
        var refusal = await People.ReadAsync(later, ct);
        using var unset = await expiring.PostAsJsonAsync("/api/v1/api-keys", new { name = "unset", scopes = new[] { "agent:read" } }, ct);
        using var sooner = await expiring.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "sooner", scopes = new[] { "agent:read" }, expires_at = expiry.AddMinutes(-30) }, ct);

        Assert.Equal(BadRequest, later.StatusCode);
        Assert.Equal(["expires_at"], refusal.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(Created, unset.StatusCode);
        Assert.Equal(expiry, (await People.ReadAsync(unset, ct)).GetProperty("expires_at").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.Equal(Created, sooner.StatusCode);
    }

    [Fact]
    public async Task A_team_made_with_an_expiring_admin_key_gets_a_first_key_expiring_with_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var installation = _app.CreateApiClient(_app.AdminApiKey);
        var expiry = DateTimeOffset.UtcNow.AddHours(1);
        using var expiring = _app.CreateApiClient(await CreateKeyAsync(installation, expiry, ["admin"], ct));

        using var created = await expiring.PostAsJsonAsync("/api/v1/teams", new { name = $"team-{Guid.NewGuid():N}" }, ct);
        var firstKey = (await People.ReadAsync(created, ct)).GetProperty("api_key");

        Assert.Equal(Created, created.StatusCode);
        Assert.Equal(expiry, firstKey.GetProperty("expires_at").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
    }

    private static async Task<string> CreateKeyAsync(HttpClient creator, DateTimeOffset expiresAt, string[] scopes, CancellationToken ct)
    {
        using var response = await creator.PostAsJsonAsync("/api/v1/api-keys", new { name = $"key-{Guid.NewGuid():N}", scopes, expires_at = expiresAt }, ct);
        Assert.Equal(Created, response.StatusCode);
        return (await People.ReadAsync(response, ct)).GetProperty("key").GetString()!;
    }
}
