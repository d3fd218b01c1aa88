using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Swarm;

namespace Cognive.Tests.Tenancy;

/// <summary>
/// Names and free text a tenant gives never hold control characters (they would break mail headers, forge log lines or
/// reach PostgreSQL as a NUL), and people's addresses are addresses a mail can go to.
/// </summary>
public sealed class TenantTextTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    public static TheoryData<string> Breaks => new() { "line\r\nInjected: yes", "nul\u0000", "escape\u001b[31m", "separator\u2028", "del\u007f" };

    [Theory]
    [MemberData(nameof(Breaks))]
    public async Task Names_and_free_text_with_control_characters_are_refused_naming_the_field(string text)
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var installation = _app.CreateApiClient(_app.AdminApiKey);
        var api = swarm.Team.Client;
        var attempts = new (HttpClient Client, HttpMethod Method, string Path, object Body, string Field)[]
        {
            (installation, HttpMethod.Post, "/api/v1/teams", new { name = text }, "name"),
            (api, HttpMethod.Post, "/api/v1/agents", new { name = text, framework = "langgraph" }, "name"),
            (api, HttpMethod.Post, "/api/v1/agents", new { name = "fine", framework = "langgraph", description = text }, "description"),
            (api, HttpMethod.Post, "/api/v1/budgets", new { name = text, amount_usd = 1m, period = "daily", mode = "soft" }, "name"),
            (api, HttpMethod.Post, "/api/v1/policies", new { name = text }, "name"),
            (api, HttpMethod.Post, "/api/v1/webhooks", new { url = $"https://example.test/{text}" }, "url"),
            (api, HttpMethod.Post, "/api/v1/api-keys", new { name = text }, "name"),
            (api, HttpMethod.Post, "/api/v1/auth/register", new { email = $"{text}@example.test", password = People.Password, role = "viewer" }, "email"),
            (swarm.Queen, HttpMethod.Post, "/api/v1/swarm/alerts", new { alert = "instance_failed", kind = "agents", detail = text }, "detail"),
            (swarm.Queen, HttpMethod.Post, "/api/v1/swarm/tasks", new { type = text }, "type"),
            (swarm.Queen, HttpMethod.Put, $"/api/v1/swarm/memory/notes/{Uri.EscapeDataString(text)}", new { value = 1 }, "path"),
            (swarm.Queen, HttpMethod.Get, $"/api/v1/swarm/memory/notes?prefix={Uri.EscapeDataString(text)}", new { }, "prefix"),
        };

        foreach (var (client, method, path, body, field) in attempts)
        {
            if (text.Contains('\0', StringComparison.Ordinal) && field == "path")
            {
                continue; // Kestrel itself refuses an encoded NUL in the request target (an empty 400).
            }

            using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Get ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request, ct);
            var problem = await response.Content.ReadAsStringAsync(ct);

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} ({field}): {(int)response.StatusCode} {problem}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{path} names {field}: {problem}");
        }
    }

    [Theory]
    [InlineData("a@b@c.example")]
    [InlineData("Someone <someone@example.test>")]
    [InlineData("some one@example.test")]
    [InlineData("someone@")]
    [InlineData("someone@example.test, other@example.test")]
    [InlineData("(comment)someone@example.test")]
    public async Task Registration_refuses_what_is_not_one_plain_mail_address(string email)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await Telemetry.TeamSession.CreateAsync(_app, ct);

        using var response = await team.Client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = People.Password, role = "viewer" }, ct);
        var problem = await response.Content.ReadAsStringAsync(ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{email}: {(int)response.StatusCode} {problem}");
        Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty("email", out _), problem);
    }
}
