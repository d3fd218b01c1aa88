using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cognive.Tests.Infrastructure;

/// <summary>A registered person, as the register call answered.</summary>
public sealed record Person(Guid Id, Guid TeamId, string Email, string Role);

/// <summary>What a login or a refresh hands out.</summary>
public sealed record LoginTokens(string AccessToken, string RefreshToken);

/// <summary>People as a client makes them: registered with a team's admin credential, logged in for tokens.</summary>
public static class People
{
    /// <summary>Every test person's password: distinctive, so tests can look for it where it must never appear.</summary>
    public const string Password = "pw-nobody-guesses-7f3c9a";

    public static string NewEmail(string role) => $"{role}-{Guid.NewGuid():N}@example.test";

    /// <summary>Registers a person in the team of <paramref name="admin"/>'s credential.</summary>
    public static async Task<Person> RegisterAsync(HttpClient admin, string role, CancellationToken ct)
    {
        var email = NewEmail(role);
        using var response = await admin.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, role }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var user = await ReadAsync(response, ct);
        return new Person(user.GetProperty("id").GetGuid(), user.GetProperty("team_id").GetGuid(), email, role);
    }

    public static async Task<LoginTokens> LoginAsync(CogniveApp app, Person person, CancellationToken ct)
    {
        using var anonymous = app.CreateApiClient(null);
        using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = person.Email, password = Password }, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return TokensOf(await ReadAsync(response, ct));
    }

    public static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string refreshToken, CancellationToken ct) =>
        client.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = refreshToken }, ct);

    public static LoginTokens TokensOf(JsonElement answer) =>
        new(answer.GetProperty("access_token").GetString()!, answer.GetProperty("refresh_token").GetString()!);

    /// <summary>A client that sends <paramref name="accessToken"/> as its bearer token.</summary>
    public static HttpClient BearerClient(CogniveApp app, string accessToken)
    {
        var client = app.CreateApiClient(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return document.RootElement.Clone();
    }
}
