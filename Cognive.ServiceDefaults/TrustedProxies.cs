using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using IPNetwork = System.Net.IPNetwork;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which peers may say who the client is. <c>X-Forwarded-For</c> is believed only from the addresses and networks in
/// <c>Cognive:Network:TrustedProxies</c> (comma-separated, e.g. the ingress' pod network); from anyone else it is
/// ignored, so a client cannot pick its own rate-limit bucket or the source address its audit records show.
/// </summary>
public static class TrustedProxies
{
    public const string Setting = "Cognive:Network:TrustedProxies";

    /// <param name="headers">What the service believes from them: the client's address, and for the console also the
    /// scheme (its cookies are Secure when the browser spoke HTTPS to the ingress).</param>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration,
        ForwardedHeaders headers = ForwardedHeaders.XForwardedFor)
    {
        var networks = Parse(configuration[Setting]);
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = headers;
            // ASP.NET trusts loopback by default; here nothing is trusted unless configured.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            // Walk back through every trusted hop (ingress behind a load balancer), stopping at the first untrusted one.
            forwarded.ForwardLimit = null;
        });
        return services;
    }

    /// <summary>A bad entry stops the start: a typo must not silently trust nobody (or everybody).</summary>
    public static IReadOnlyList<IPNetwork> Parse(string? setting) =>
        (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(entry =>
            IPNetwork.TryParse(entry, out var network) ? network
            : IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
            : throw new InvalidOperationException($"{Setting}: '{entry}' is neither an address nor a network (CIDR).")).ToList();
}
