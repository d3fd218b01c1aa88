using Cognive.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cognive.Tests.Console;

/// <summary>
/// Debian's Chromium driven by Playwright against the shared app's <c>web</c> resource: one browser per test class, a
/// fresh context (cookies, storage) per person. Playwright cannot download browsers here, so it launches /usr/bin/chromium.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
    }

    /// <summary>The console's address in the shared app.</summary>
    public static Uri WebAddress(SharedApp shared) => shared.App.App.GetEndpoint("web", "http");

    /// <summary>A new browser context (no cookies) whose relative addresses go to the console.</summary>
    public async Task<IPage> NewPageAsync(SharedApp shared)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = WebAddress(shared).ToString().TrimEnd('/'), ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs <paramref name="person"/> in through the sign-in form and lands on <paramref name="path"/>.</summary>
    public async Task<IPage> SignInAsync(SharedApp shared, Person person, string path = "/")
    {
        var page = await NewPageAsync(shared);
        await page.GotoAsync(path);
        Assert.StartsWith("/account/sign-in", new Uri(page.Url).PathAndQuery, StringComparison.Ordinal);
        await page.FillAsync("#email", person.Email);
        await page.FillAsync("#password", People.Password);
        await page.ClickAsync("[data-testid=sign-in]");
        // Seven other engineers share this box's two cores: the first overview of a team may take a while to prerender.
        try
        {
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path.Split('?')[0], new() { WaitUntil = WaitUntilState.Commit, Timeout = 90_000 });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Signing in did not reach {path}: {await WhereAsync(page)}", e);
        }

        await page.Locator("h1").First.WaitForAsync(new() { Timeout = 90_000 });
        return page;
    }

    /// <summary>The page's address, title and any problem it shows, for a failure to say where a browser got stuck.</summary>
    private static async Task<string> WhereAsync(IPage page)
    {
        try
        {
            var readFor = TimeSpan.FromSeconds(10);
            var problem = await page.Locator("[data-testid=problem]").AllInnerTextsAsync().WaitAsync(readFor);
            return $"the page is {page.Url} (\"{await page.TitleAsync().WaitAsync(readFor)}\"), showing \"{string.Join(" ", problem)}\"";
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            return $"the page is {page.Url}, and could not be read ({e.Message})";
        }
    }

    /// <summary>Waits until the page's circuit is connected, so clicks reach the server (Blazor Server's interactivity).</summary>
    public static Task WaitForCircuitAsync(IPage page) => page.Locator("main[data-interactive=true]").WaitForAsync();

    /// <summary>
    /// Writes the page's screenshot to docs/screenshots/ of the repository (the README shows them) and to the test output.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = ScreenshotFolder();
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
    }

    private static string ScreenshotFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cognive.sln")))
            {
                return Path.Combine(dir.FullName, "docs", "screenshots");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "screenshots");
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
