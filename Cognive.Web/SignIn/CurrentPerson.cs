using Microsoft.AspNetCore.Components.Authorization;

namespace Cognive.Web.SignIn;

/// <summary>
/// The person of this request or circuit: their <see cref="ConsoleCaller"/> and their session's access token. Scoped, so in a
/// circuit it reads the authentication state the circuit started with (a circuit has no HttpContext).
/// </summary>
public sealed class CurrentPerson(AuthenticationStateProvider authentication, ConsoleSessions sessions)
{
    public async Task<ConsoleCaller> CallerAsync() => ConsoleCaller.From((await authentication.GetAuthenticationStateAsync()).User);

    public async Task<string> AccessTokenAsync(CancellationToken ct) => await sessions.AccessTokenAsync((await CallerAsync()).SessionId, ct);
}
