using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cognive.Web.SignIn;

/// <summary>
/// Sign-in for people: the console's server logs in at the API and keeps the tokens (<see cref="ConsoleSessions"/>); the
/// browser gets an HttpOnly, SameSite=Lax cookie (Secure when the request came over HTTPS) holding the encrypted session
/// id and the person's claims. A cookie whose session ended (signed out, refresh refused, console restarted) is refused.
/// </summary>
public static class SignInExtensions
{
    public const string SignInPath = "/account/sign-in";
    public const string SignOutPath = "/account/sign-out";
    public const string CookieName = "cognive.console";

    public static IServiceCollection AddConsoleSignIn(this IServiceCollection services)
    {
        services.AddSingleton<ConsoleSessions>();
        services.AddScoped<CurrentPerson>();
        services.AddScoped<PersonSignIn>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<ConsoleSettings>>((cookie, settings) =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = SignInPath;
                cookie.AccessDeniedPath = SignInPath;
                cookie.ExpireTimeSpan = settings.Value.IdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.Events.OnValidatePrincipal = RejectEndedSessionsAsync;
            });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        return services;
    }

    private static async Task RejectEndedSessionsAsync(CookieValidatePrincipalContext context)
    {
        var sessions = context.HttpContext.RequestServices.GetRequiredService<ConsoleSessions>();
        if (!sessions.IsOpen(context.Principal?.FindFirst(ConsoleCaller.SessionClaim)?.Value))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    /// <summary>Sign-out is a form post (its anti-forgery token checked, as for every form): it ends the login at the API too.</summary>
    public static IEndpointRouteBuilder MapSignOut(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignOutPath, async Task<Results<RedirectHttpResult, BadRequest>> (HttpContext http, IAntiforgery antiforgery,
            ConsoleSessions sessions, CancellationToken ct) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.BadRequest();
            }

            await sessions.EndAsync(ConsoleCaller.From(http.User).SessionId, ct);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return TypedResults.LocalRedirect(SignInPath);
        });
        return endpoints;
    }
}
