using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;
using StackExchange.Redis;

namespace Cognive.Bench;

/// <summary>
/// The console's benchmark (bench/console.sh): a team with many calls seeded (as the cost-trends benchmark seeds them),
/// then in Debian's Chromium the time from navigation to the overview's chart drawn, the server's render time of every
/// page (its Server-Timing), and the console's memory with 50 circuits open.
/// </summary>
public static class ConsoleBench
{
    private const string Password = "bench-console-password-1";
    private const int Loads = 20;
    private const int Circuits = 50;
    private const string ChartDrawn = "[data-testid=cost-trend] .main-svg";
    private static readonly string[] Pages = ["/", "/agents", "/runs", "/costs", "/budgets", "/policies", "/audit", "/swarm", "/settings"];

    public static async Task RunAsync(BenchApp app, long calls, CancellationToken ct)
    {
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync("web", ct);
        var (key, teamId) = await app.CreateTeamAsync(ct);
        using var client = app.CreateClient(key);
        var email = $"lead-{Guid.NewGuid():N}@example.test";
        using (var registered = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, role = "team_lead" }, ct))
        {
            registered.EnsureSuccessStatusCode();
        }

        Report.Section($"Seeding {calls:N0} calls over the last 30 days (and their rollups) for one team");
        var seeding = Stopwatch.StartNew();
        await TrendQuery.SeedAsync(await app.ConnectionStringAsync("cognive", ct), teamId, calls, ct);
        Report.Line($"seeded in {seeding.Elapsed.TotalSeconds:F0} s");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var web = app.App.GetEndpoint("web", "http");
        var context = await browser.NewContextAsync(new() { BaseURL = web.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=sign-in]");
        await page.Locator(ChartDrawn).First.WaitForAsync(new() { Timeout = 120_000 }); // the first, uncached overview

        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.ConnectionStringAsync("redis", ct));
        Report.Section($"Navigation to the overview's chart drawn, {Loads} loads");
        var warm = await LoadsAsync(page, () => Task.CompletedTask);
        Report.Line($"overview cached by the API (≤ 2 s old):  {warm.Summary()}");
        var cold = await LoadsAsync(page, () => redis.GetDatabase().KeyDeleteAsync($"cognive:analytics:overview:{teamId:N}:model"));
        Report.Line($"overview computed for each load:        {cold.Summary()}  (target < 1 s)");

        Report.Section("Server time per page render (Server-Timing of the prerendered page, 20 requests per page)");
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "cognive.console");
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = web };
        var all = new Latencies();
        foreach (var path in Pages)
        {
            var render = new Latencies();
            for (var i = 0; i < Loads; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Cookie", $"{cookie.Name}={cookie.Value}" } } };
                using var response = await http.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
                var timing = response.Headers.GetValues("Server-Timing").Single();
                var ms = double.Parse(timing[(timing.IndexOf("dur=", StringComparison.Ordinal) + 4)..], CultureInfo.InvariantCulture);
                render.Add(ms);
                all.Add(ms);
            }

            Report.Line($"{path,-10} {render.Summary()}");
        }

        Report.Line($"{"all",-10} {all.Summary()}  (target p95 < 100 ms)");

        Report.Section($"The console's memory with {Circuits} circuits open on the overview");
        var webPid = await WebProcessIdAsync(app, ct);
        var idle = RssMib(webPid);
        var pages = new List<IPage>();
        for (var i = 0; i < Circuits; i++)
        {
            var tab = await context.NewPageAsync();
            await tab.GotoAsync("/");
            await tab.Locator("main[data-interactive=true]").WaitForAsync(new() { Timeout = 120_000 });
            pages.Add(tab);
        }

        await Task.Delay(TimeSpan.FromSeconds(10), ct); // every circuit refreshes its overview a few times
        var open = RssMib(webPid);
        Report.Line($"web RSS before: {idle:F0} MiB; with {Circuits} circuits: {open:F0} MiB ({(open - idle) / Circuits:F1} MiB per circuit)");
        foreach (var tab in pages)
        {
            await tab.CloseAsync();
        }
    }

    private static async Task<Latencies> LoadsAsync(IPage page, Func<Task> before)
    {
        var latencies = new Latencies();
        for (var i = 0; i < Loads; i++)
        {
            await before();
            var started = Stopwatch.GetTimestamp();
            await page.GotoAsync("/");
            await page.Locator(ChartDrawn).First.WaitForAsync(new() { Timeout = 60_000 });
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return latencies;
    }

    /// <summary>The web service's own process: DCP reports the <c>dotnet run</c> launcher; the service is its descendant.</summary>
    private static async Task<int> WebProcessIdAsync(BenchApp app, CancellationToken ct)
    {
        var web = await app.App.ResourceNotifications.WaitForResourceAsync("web",
            e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && p.Value is not null), ct);
        var launcher = int.Parse(web.Snapshot.Properties.First(p => p.Name == "executable.pid").Value!.ToString()!, CultureInfo.InvariantCulture);
        var queue = new Queue<int>([launcher]);
        while (queue.TryDequeue(out var pid))
        {
            var command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (command.Contains("Cognive.Web", StringComparison.Ordinal) && !command.Contains(" run ", StringComparison.Ordinal))
            {
                return pid;
            }

            foreach (var child in Children(pid))
            {
                queue.Enqueue(child);
            }
        }

        return launcher;
    }

    private static IEnumerable<int> Children(int pid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .Where(p => p > 0 && ParentOf(p) == pid)
            .ToList();

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return 0;
        }
    }

    private static double RssMib(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();
}
