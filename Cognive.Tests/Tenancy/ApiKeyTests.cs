using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Npgsql;

namespace Cognive.Tests.Tenancy;

/// <summary>API keys: shown once, stored hashed, listed, revoked; every call scoped to the key's team.</summary>
public sealed class ApiKeyTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task The_bootstrap_key_belongs_to_the_admin_team()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = _app.CreateApiClient(_app.AdminApiKey);

        using var me = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/teams/me", ct));

        Assert.Equal("admin", me.RootElement.GetProperty("name").GetString());
        Assert.Matches("^cgv_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$", _app.AdminApiKey);
    }

    [Fact]
    public async Task A_new_team_gets_a_key_that_is_stored_only_as_a_hash()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await CreateTeamAsync(ct);
        using var team = _app.CreateApiClient(key);

        using var keys = JsonDocument.Parse(await team.GetStringAsync("/api/v1/api-keys", ct));

        var listed = Assert.Single(keys.RootElement.EnumerateArray());
        Assert.StartsWith(listed.GetProperty("prefix").GetString()!, key);
        Assert.False(listed.TryGetProperty("key", out _));
        await using var db = new NpgsqlConnection(await _app.GetConnectionStringAsync("cognive", ct));
        await db.OpenAsync(ct);
        await using var stored = new NpgsqlCommand("SELECT secret_hash FROM api_keys WHERE prefix = $1", db)
        {
            Parameters = { new() { Value = key["cgv_".Length..("cgv_".Length + 12)] } },
        };
        var secret = key[^32..];
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), (byte[])(await stored.ExecuteScalarAsync(ct))!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    [InlineData("cgv_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")]
    public async Task A_missing_malformed_or_unknown_key_gets_401_problem_details(string? apiKey)
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _app.CreateApiClient(apiKey);

        using var response = await client.GetAsync("/api/v1/api-keys", ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("https://cognive.dev/problems/unauthenticated", problem.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_revoked_key_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await CreateTeamAsync(ct);
        using var team = _app.CreateApiClient(key);
        var second = await CreateKeyAsync(team, "to revoke", ct);

        using var revoke = await team.DeleteAsync($"/api/v1/api-keys/{second.GetProperty("id").GetGuid()}", ct);
        using var revokedClient = _app.CreateApiClient(second.GetProperty("key").GetString());
        using var refused = await revokedClient.GetAsync("/api/v1/api-keys", ct);
        using var stillValid = await team.GetAsync("/api/v1/api-keys", ct);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
    }

    [Fact]
    public async Task Another_teams_key_is_not_found_and_not_listed()
    {
        var ct = TestContext.Current.CancellationToken;
        var firstKey = await CreateTeamAsync(ct);
        var secondKey = await CreateTeamAsync(ct);
        using var first = _app.CreateApiClient(firstKey);
        using var second = _app.CreateApiClient(secondKey);
        var firstsKey = await CreateKeyAsync(first, "first's", ct);

        using var revoke = await second.DeleteAsync($"/api/v1/api-keys/{firstsKey.GetProperty("id").GetGuid()}", ct);
        using var secondsList = JsonDocument.Parse(await second.GetStringAsync("/api/v1/api-keys", ct));
        using var stillWorks = await _app.CreateApiClient(firstsKey.GetProperty("key").GetString()).GetAsync("/api/v1/agents", ct);

        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        Assert.DoesNotContain(secondsList.RootElement.EnumerateArray(),
            k => k.GetProperty("id").GetGuid() == firstsKey.GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
    }

    [Fact]
    public async Task Only_the_admin_team_creates_teams()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await CreateTeamAsync(ct);
        using var team = _app.CreateApiClient(key);

        using var response = await team.PostAsJsonAsync("/api/v1/teams", new { name = $"t-{Guid.NewGuid():N}" }, ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"name\":\"   \"}")]
    [InlineData("{\"name\":\"TOO_LONG\"}")]
    [InlineData("{\"name\": 42}")]
    [InlineData("not json")]
    public async Task Bad_key_requests_get_400_problem_details_and_create_nothing(string body)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await CreateTeamAsync(ct);
        using var team = _app.CreateApiClient(key);

        using var response = await team.PostAsync("/api/v1/api-keys",
            new StringContent(body.Replace("TOO_LONG", new string('x', 201)), Encoding.UTF8, "application/json"), ct);
        using var keys = JsonDocument.Parse(await team.GetStringAsync("/api/v1/api-keys", ct));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Single(keys.RootElement.EnumerateArray());
    }

    private Task<string> CreateTeamAsync(CancellationToken ct) => Tenants.CreateTeamAsync(_app, ct);

    private static async Task<JsonElement> CreateKeyAsync(HttpClient team, string name, CancellationToken ct)
    {
        using var response = await team.PostAsJsonAsync("/api/v1/api-keys", new { name }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();
    }
}
