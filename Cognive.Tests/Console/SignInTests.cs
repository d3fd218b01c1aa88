using System.Net;
using Cognive.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cognive.Tests.Console;

/// <summary>People sign in to the console with their e-mail and password; the API tokens never reach the browser.</summary>
public sealed class SignInTests(SharedApp shared, ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    [Fact]
    public async Task Sign_in_keeps_the_tokens_on_the_server_refreshes_them_there_and_sign_out_revokes_the_login()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var lead = await team.PersonAsync("team_lead", ct);

        var page = await browser.SignInAsync(shared, lead);
        Assert.Equal("Overview", await page.Locator("h1").InnerTextAsync());
        Assert.Contains(lead.Email, await page.Locator("[data-testid=who]").InnerTextAsync());
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "cognive.console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Value.StartsWith("eyJ", StringComparison.Ordinal));
        var storage = await page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)");
        Assert.DoesNotContain("eyJ", storage, StringComparison.Ordinal); // no JWT in the browser's storage

        // The shared app refreshes 10 s after issue; the overview keeps asking the API meanwhile, so the refresh happens on
        // the server and the page goes on showing answers.
        await ConsoleBrowser.WaitForCircuitAsync(page);
        var web = await shared.App.App.ResourceNotifications.WaitForResourceAsync("web", e => e.Snapshot.State?.Text == KnownResourceStates.Running, ct);
        var refreshed = $"Refreshed the access token of user {lead.Id}'s console session";
        Assert.Contains(refreshed, await ResourceLog.ReadAsync(shared.App.App, web.ResourceId, refreshed, TimeSpan.FromSeconds(60), ct));
        await page.ReloadAsync();
        Assert.Equal("Overview", await page.Locator("h1").InnerTextAsync());
        await page.Locator("[data-testid=spent-today]").WaitForAsync();
        await ConsoleBrowser.ScreenshotAsync(page, "overview-empty");

        var signedIn = await page.Context.StorageStateAsync();
        await page.ClickAsync("[data-testid=sign-out]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/account/sign-in");
        await ConsoleBrowser.ScreenshotAsync(page, "sign-in");

        // The old cookie opens nothing any more, and the API revoked the login (its audit trail says so).
        var replay = await (await browser.Browser.NewContextAsync(new() { StorageState = signedIn, BaseURL = ConsoleBrowser.WebAddress(shared).ToString() })).NewPageAsync();
        await replay.GotoAsync("/");
        Assert.StartsWith("/account/sign-in", new Uri(replay.Url).AbsolutePath, StringComparison.Ordinal);
        var audit = await team.Session.GetJsonAsync($"/api/v1/audit?action=auth.logout&target_id={lead.Id}", ct);
        Assert.Equal(1, audit.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_wrong_password_is_refused_in_words_and_sets_no_cookie()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await ConsoleTeam.CreateAsync(shared, ct);
        var viewer = await team.PersonAsync("viewer", ct);
        var page = await browser.NewPageAsync(shared);

        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", viewer.Email);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("[data-testid=sign-in]");

        Assert.Equal("The e-mail or password is wrong.", await page.Locator("[data-testid=problem]").InnerTextAsync());
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "cognive.console");
    }

    [Fact]
    public async Task Sign_out_without_the_forms_anti_forgery_token_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = ConsoleBrowser.WebAddress(shared) };

        using var response = await http.PostAsync("/account/sign-out", new FormUrlEncodedContent([]), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/health/readiness")]
    [InlineData("/metrics")]
    public async Task The_consoles_health_and_metrics_answer_the_cluster_but_not_requests_through_the_ingress(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = ConsoleBrowser.WebAddress(shared) };

        using var direct = await http.GetAsync(path, ct);
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Forwarded-For", "203.0.113.9" } } };
        using var throughIngress = await http.SendAsync(forwarded, ct);

        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, throughIngress.StatusCode);
    }
}
