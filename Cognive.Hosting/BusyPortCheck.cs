using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting;

public static class BusyPortCheck
{
    /// <summary>
    /// Before anything starts, checks that the fixed ports of the app model (the services' ports from their launch
    /// settings) are free. Otherwise DCP's proxy fails quietly and a resource sits unhealthy with no word of why.
    /// Skipped where Aspire randomizes those ports (the test host does).
    /// </summary>
    public static IDistributedApplicationBuilder FailFastOnBusyPorts(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode || builder.Configuration.GetValue<bool>("DcpPublisher:RandomizePorts"))
        {
            return builder;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            var busy = e.Model.Resources
                .SelectMany(r => r.Annotations.OfType<EndpointAnnotation>().Select(endpoint => (Resource: r, Endpoint: endpoint)))
                .Where(x => x.Endpoint is { IsProxied: true, Port: not null } && !IsFree(x.Endpoint.Port!.Value))
                .Select(x => $"{x.Endpoint.Port} ({x.Resource.Name}, endpoint {x.Endpoint.Name})")
                .ToList();
            if (busy.Count > 0)
            {
                throw new CogniveHostingException(
                    $"Port {string.Join(", ", busy)} is in use. Another Cognive may be running (stop it with " +
                    "`dotnet aspire stop`), or another program holds the port: stop it or change the port in the " +
                    "service's Properties/launchSettings.json.");
            }

            return Task.CompletedTask;
        });
        return builder;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
