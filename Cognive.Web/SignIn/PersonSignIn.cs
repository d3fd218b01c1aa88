using Cognive.Web.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cognive.Web.SignIn;

/// <summary>Logs a person in at the API, opens their console session and writes the cookie naming it.</summary>
public sealed class PersonSignIn(AuthApi auth, ConsoleSessions sessions)
{
    /// <summary>Signs in; a refusal (wrong e-mail or password, locked) as <see cref="ApiProblemException"/>.</summary>
    public async Task SignInAsync(HttpContext http, string email, string password, CancellationToken ct)
    {
        var tokens = await auth.LoginAsync(email, password, ct);
        var me = await auth.MeAsync(tokens.AccessToken, ct);
        var sessionId = sessions.Start(tokens, me.UserId);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            ConsoleCaller.Principal(sessionId, me, CookieAuthenticationDefaults.AuthenticationScheme));
    }
}
