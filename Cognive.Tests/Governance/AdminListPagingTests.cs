using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Governance;

/// <summary>
/// The lists the console's settings and policies pages show keep their JSON arrays, paged by <c>limit</c> and
/// <c>cursor</c> with a <c>Link: rel="next"</c> header; and <c>/auth/me</c> says whether the caller is an installation admin.
/// </summary>
public sealed class AdminListPagingTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Theory]
    [InlineData("/api/v1/policies")]
    [InlineData("/api/v1/api-keys")]
    [InlineData("/api/v1/users")]
    public async Task A_list_pages_by_limit_and_cursor_and_links_the_next_page(string list)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var made = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            made.Add(await MakeAsync(team, list, ct));
        }

        var everything = await PageAsync(team, list, ct);
        var first = await PageAsync(team, $"{list}?limit=2", ct);
        var second = await PageAsync(team, first.Next!, ct);
        using var tooMany = await team.Client.GetAsync($"{list}?limit=501", ct);

        Assert.Null(everything.Next);
        Assert.Equal(everything.Ids, first.Ids.Concat(second.Ids));
        Assert.Equal(2, first.Ids.Count);
        Assert.StartsWith($"{list}?limit=2&cursor={first.Ids[^1]}", first.Next);
        Assert.Null(second.Next);
        Assert.Subset(everything.Ids.ToHashSet(), made.ToHashSet());
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task The_caller_is_told_whether_it_is_an_installation_admin()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var installation = _app.CreateApiClient(_app.AdminApiKey);

        var teamMe = await team.GetJsonAsync("/api/v1/auth/me", ct);
        var adminMe = await installation.GetFromJsonAsync<JsonElement>("/api/v1/auth/me", ct);

        Assert.False(teamMe.GetProperty("installation_admin").GetBoolean());
        Assert.True(adminMe.GetProperty("installation_admin").GetBoolean());
    }

    private static async Task<Guid> MakeAsync(TeamSession team, string list, CancellationToken ct)
    {
        using var response = list switch
        {
            "/api/v1/policies" => await team.Client.PostAsJsonAsync(list, new { name = $"p-{Guid.NewGuid():N}", max_tokens_per_call = 100 }, ct),
            "/api/v1/api-keys" => await team.Client.PostAsJsonAsync(list, new { name = $"k-{Guid.NewGuid():N}" }, ct),
            _ => await team.Client.PostAsJsonAsync("/api/v1/auth/register",
                new { email = People.NewEmail("viewer"), password = People.Password, role = "viewer" }, ct),
        };
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await TeamSession.ReadAsync(response, ct)).GetProperty("id").GetGuid();
    }

    private static async Task<(List<Guid> Ids, string? Next)> PageAsync(TeamSession team, string path, CancellationToken ct)
    {
        using var response = await team.Client.GetAsync(path, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = (await TeamSession.ReadAsync(response, ct)).EnumerateArray().Select(e => e.GetProperty("id").GetGuid()).ToList();
        var next = response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;
        return (ids, next is null ? null : next[1..next.IndexOf('>')]);
    }
}
