using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>Server-Timing: app;dur=&lt;ms&gt;</c> on every response: the time the service spent until it started answering,
/// without the network and proxies in front of it. The benchmarks read it; so can any client. Not on sign-in paths
/// (<c>/api/v1/auth</c>), where exact server time would help tell which e-mails exist.
/// </summary>
internal sealed class ServerTimingMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api/v1/auth"))
        {
            return next(context);
        }

        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            context.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture, $"app;dur={elapsed:F3}");
            return Task.CompletedTask;
        });
        return next(context);
    }
}
