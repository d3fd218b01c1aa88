using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Gateway;

/// <summary>Provider connections through the API: validated, kept to their team, and never shown with their key.</summary>
public sealed class ProviderTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_connection_with_a_bad_name_unknown_provider_bad_url_or_no_key_is_refused_field_by_field()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);

        using var response = await team.Client.PostAsJsonAsync("/api/v1/providers",
            new { name = "has/slash", provider = "nobody-prices-this", base_url = "ftp://example.test/v1" }, ct);
        using var list = await team.Client.GetAsync("/api/v1/providers", ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await TeamSession.ReadAsync(response, ct)).GetProperty("errors");
        Assert.Equal(["api_key", "base_url", "name", "provider"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Empty((await TeamSession.ReadAsync(list, ct)).EnumerateArray());
    }

    [Fact]
    public async Task A_connection_is_answered_listed_and_updated_without_its_key()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var key = $"sk-never-shown-{Guid.NewGuid():N}";

        using var created = await CreateAsync(team, "primary", key, ct);
        var id = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();
        using var updated = await team.Client.PatchAsJsonAsync($"/api/v1/providers/{id}", new { api_key = key + "-new", base_url = "http://127.0.0.1:9/v2/" }, ct);
        var bodies = new[]
        {
            await created.Content.ReadAsStringAsync(ct), await updated.Content.ReadAsStringAsync(ct),
            await team.Client.GetStringAsync($"/api/v1/providers/{id}", ct), await team.Client.GetStringAsync("/api/v1/providers", ct),
        };

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.All(bodies, body => Assert.DoesNotContain(key, body, StringComparison.Ordinal));
        Assert.All(bodies, body => Assert.DoesNotContain("api_key", body, StringComparison.Ordinal));
        var shown = await team.GetJsonAsync($"/api/v1/providers/{id}", ct);
        Assert.Equal(("primary", "openai", "http://127.0.0.1:9/v2", true), (shown.GetProperty("name").GetString(),
            shown.GetProperty("provider").GetString(), shown.GetProperty("base_url").GetString(), shown.GetProperty("default").GetBoolean()));
    }

    [Fact]
    public async Task Another_team_can_neither_see_change_nor_delete_a_connection()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = await TeamSession.CreateAsync(_app, ct);
        using var stranger = await TeamSession.CreateAsync(_app, ct);
        using var created = await CreateAsync(owner, "mine", "sk-owner", ct);
        var id = (await TeamSession.ReadAsync(created, ct)).GetProperty("id").GetGuid();

        using var read = await stranger.Client.GetAsync($"/api/v1/providers/{id}", ct);
        using var changed = await stranger.Client.PatchAsJsonAsync($"/api/v1/providers/{id}", new { name = "theirs" }, ct);
        using var deleted = await stranger.Client.DeleteAsync($"/api/v1/providers/{id}", ct);
        using var list = await stranger.Client.GetAsync("/api/v1/providers", ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound),
            (read.StatusCode, changed.StatusCode, deleted.StatusCode));
        Assert.Empty((await TeamSession.ReadAsync(list, ct)).EnumerateArray());
        Assert.Equal("mine", (await owner.GetJsonAsync($"/api/v1/providers/{id}", ct)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Names_are_unique_within_a_team_and_one_connection_at_most_is_the_default()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var first = await CreateAsync(team, "first", "sk-1", ct);
        using var second = await CreateAsync(team, "second", "sk-2", ct);
        using var twin = await CreateAsync(team, "first", "sk-3", ct);

        var listed = (await team.GetJsonAsync("/api/v1/providers", ct)).EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("default").GetBoolean());

        Assert.Equal(HttpStatusCode.BadRequest, twin.StatusCode);
        Assert.Equal(new Dictionary<string, bool> { ["first"] = false, ["second"] = true }, listed);
    }

    private static Task<HttpResponseMessage> CreateAsync(TeamSession team, string name, string key, CancellationToken ct) =>
        team.Client.PostAsJsonAsync("/api/v1/providers",
            new { name, provider = "OpenAI", base_url = "http://127.0.0.1:9/v1", api_key = key, @default = true }, ct);
}
