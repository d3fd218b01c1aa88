using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cognive.Hosting;

/// <summary>Healthy once something accepts TCP connections on the endpoint.</summary>
internal sealed class TcpHealthCheck(Func<(string Host, int Port)> endpoint) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (host, port) = endpoint();
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (SocketException e)
        {
            return HealthCheckResult.Unhealthy($"{host}:{port} refuses connections", e);
        }
    }
}
