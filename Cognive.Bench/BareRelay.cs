using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cognive.Bench;

/// <summary>
/// The gateway benchmark's ceiling: a bare HTTP relay in its own process that passes every <c>/v1/…</c> POST to the
/// upstream and its answer back as it arrives, with nothing else (no key check, no budget, no recording). Through it, a
/// request pays what one more process between client and upstream costs on this machine; what the gateway takes
/// beyond that is its own work.
/// </summary>
public sealed class BareRelay : IAsyncDisposable
{
    private const string ModeArgument = "relay";
    private readonly Process _process;

    private BareRelay(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>The relay's OpenAI base URL, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public string BaseUrl { get; }

    public static bool IsRelayMode(string[] args) => args.FirstOrDefault() == ModeArgument;

    /// <summary>Starts this program in relay mode as a child process, with the gateway's garbage collector settings, and
    /// waits for the address it listens on.</summary>
    public static async Task<BareRelay> StartAsync(string upstreamBaseUrl, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BareRelay).Assembly.Location);
        }

        start.ArgumentList.Add(ModeArgument);
        start.ArgumentList.Add(upstreamBaseUrl);
        // As the gateway runs: a web app's server GC, without the background GC thread (Cognive.Gateway.csproj).
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["DOTNET_gcConcurrent"] = "0";
        var process = Process.Start(start)!;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var address = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("The relay exited before printing its address.");
            return new BareRelay(process, $"{address}/v1");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Relay mode: listens on a free loopback port, prints its address, and relays until stopped (a signal or Ctrl+C).</summary>
    public static async Task RunAsync(string upstreamBaseUrl, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        using var upstream = new HttpMessageInvoker(new SocketsHttpHandler { MaxConnectionsPerServer = 512 });
        var upstreamBase = upstreamBaseUrl.TrimEnd('/');
        app.MapPost("/v1/{**path}", (HttpContext http, string path) => RelayAsync(http, upstream, $"{upstreamBase}/{path}"));
        await app.StartAsync(ct);
        Console.WriteLine(app.Urls.Single());
        await app.WaitForShutdownAsync(ct);
    }

    private static async Task RelayAsync(HttpContext http, HttpMessageInvoker upstream, string url)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", http.Request.ContentType);
        request.Headers.TryAddWithoutValidation("Authorization", http.Request.Headers.Authorization.ToString());
        using var response = await upstream.SendAsync(request, http.RequestAborted);
        http.Response.StatusCode = (int)response.StatusCode;
        http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        http.Response.ContentLength = response.Content.Headers.ContentLength;
        // Each read is written (and so flushed) at once: a stream's chunks pass through as they arrive.
        await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
