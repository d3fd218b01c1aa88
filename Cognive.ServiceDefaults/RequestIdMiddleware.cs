using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every response carries <c>X-Request-Id</c>: the caller's when it sent one, else the trace id, which also
/// crosses service boundaries in <c>traceparent</c>. Logs written while handling the request carry it too.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";
    private const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = context.Request.Headers[HeaderName].ToString();
        // A caller's id goes into logs and audit records: one that could break a line there is replaced, like an overlong one.
        if (string.IsNullOrEmpty(requestId) || requestId.Length > MaxLength || InputText.HasControlCharacters(requestId))
        {
            requestId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        }

        Activity.Current?.SetTag("cognive.request_id", requestId);
        context.Items[HeaderName] = requestId;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = requestId;
            return Task.CompletedTask;
        });

        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId }))
        {
            await next(context);
        }
    }
}

public static class RequestIdExtensions
{
    /// <summary>The request id this request answers with (see <see cref="RequestIdMiddleware"/>).</summary>
    public static string RequestId(this HttpContext context) =>
        context.Items[RequestIdMiddleware.HeaderName] as string ?? context.TraceIdentifier;
}
