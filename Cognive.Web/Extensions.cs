using Cognive.Web.Api;
using Cognive.Web.Components;
using Cognive.Web.Components.Pages.Costs;
using Cognive.Web.SignIn;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Cognive.Web;

public static class Extensions
{
    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleSettings>().BindConfiguration(ConsoleSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        // Behind Traefik the scheme comes from X-Forwarded-Proto: the cookie is Secure when the browser spoke HTTPS.
        builder.Services.AddTrustedProxies(builder.Configuration, ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddConsoleSignIn();
        builder.Services.AddCogniveClient<AuthApi>("https+http://api");
        builder.Services.AddCogniveClient<CogniveApi>("https+http://api");
        builder.Services.AddCogniveClient<SwarmApi>("https+http://swarm-queen");
        return builder;
    }

    /// <summary>
    /// A typed client of a Cognive service found by service discovery. Writes are never retried (a retried POST could create
    /// twice), and a 429 is shown to the person rather than retried.
    /// </summary>
    private static void AddCogniveClient<TClient>(this IServiceCollection services, string baseAddress) where TClient : class
    {
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to replace the defaults' handler for one client.
        services.AddHttpClient<TClient>(client => client.BaseAddress = new Uri(baseAddress))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.Retry.DisableForUnsafeHttpMethods();
                resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result?.StatusCode != System.Net.HttpStatusCode.TooManyRequests &&
                    HttpClientResiliencePredicates.IsTransient(args.Outcome));
            });
    }

    public static WebApplication UseConsole(this WebApplication app)
    {
        // The ingress sends every path no other service claims to the console, /metrics and /health among them. Those stay
        // inside the cluster (a health answer may name an exception): what came through a proxy is not answered.
        app.UseWhen(http => http.Request.Headers.ContainsKey("X-Forwarded-For") && IsInternal(http.Request.Path),
            internalPath => internalPath.Run(http =>
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }));
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    private static bool IsInternal(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.MetricsPath);

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapSignOut();
        app.MapCostExport();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
