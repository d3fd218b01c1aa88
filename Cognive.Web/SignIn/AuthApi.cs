using Cognive.Web.Api;

namespace Cognive.Web.SignIn;

/// <summary>The API's sign-in endpoints (<c>/api/v1/auth/...</c>), called by the console's server, never by the browser.</summary>
public sealed class AuthApi(HttpClient http)
{
    public sealed record Tokens(string AccessToken, int ExpiresIn, string RefreshToken, DateTimeOffset RefreshExpiresAt);

    public sealed record Me(Guid TeamId, Guid? UserId, string? Email, string? Role, IReadOnlyList<string> Permissions);

    /// <summary>The tokens of a new login; a refusal (wrong password, locked) as <see cref="ApiProblemException"/>.</summary>
    public Task<Tokens> LoginAsync(string email, string password, CancellationToken ct) =>
        SendAsync<Tokens>(HttpMethod.Post, "/api/v1/auth/login", null, new { email, password }, ct);

    /// <summary>New tokens for a refresh token; null when the API ended the login (revoked, reused, past its lifetime).</summary>
    public async Task<Tokens?> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        try
        {
            return await SendAsync<Tokens>(HttpMethod.Post, "/api/v1/auth/refresh", null, new { refresh_token = refreshToken }, ct);
        }
        catch (ApiProblemException e) when (e.Problem.Status == StatusCodes.Status401Unauthorized)
        {
            return null;
        }
    }

    public Task<Me> MeAsync(string accessToken, CancellationToken ct) => SendAsync<Me>(HttpMethod.Get, "/api/v1/auth/me", accessToken, null, ct);

    /// <summary>Revokes the access token at once and every refresh token of its login.</summary>
    public Task LogoutAsync(string accessToken, string refreshToken, CancellationToken ct) =>
        SendAsync<object?>(HttpMethod.Post, "/api/v1/auth/logout", accessToken, new { refresh_token = refreshToken }, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? accessToken, object? body, CancellationToken ct)
    {
        using var request = ApiExchange.Request(method, path, accessToken, body);
        using var response = await ApiExchange.SendAsync(http, request, "API", ct);
        return await ApiExchange.ReadAsync<T>(response, ct);
    }
}
