namespace Cognive.Gateway.OpenAi;

/// <summary>
/// The one connection pool to every upstream, as a bare <see cref="HttpMessageInvoker"/> rather than a factory client:
/// the factory's handlers (a logging scope and log lines per request, service discovery for a URL that is never a
/// service name) cost each forwarded call CPU the gateway's own budget does not have (seen in its profile at 64
/// clients). The handler keeps .NET's own tracing and metrics of each upstream request. Nothing is retried and there
/// is no overall timeout: an upstream call may have been billed, and a stream may rightly last minutes (callers time
/// out silence themselves).
/// </summary>
public sealed class Upstream() : HttpMessageInvoker(new SocketsHttpHandler
{
    AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseCookies = false,
}, disposeHandler: true);
