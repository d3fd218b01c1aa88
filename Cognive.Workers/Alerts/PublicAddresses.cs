using System.Net;
using System.Net.Sockets;

namespace Cognive.Workers.Alerts;

/// <summary>
/// Webhook URLs are the teams' input: without a guard they could make the workers call loopback, the cluster's
/// private network or a cloud metadata endpoint. Connections go only to public addresses, checked after DNS
/// resolution (so a name that resolves privately is refused too), unless private networks are allowed (local runs).
/// </summary>
public static class PublicAddresses
{
    /// <summary>
    /// Special-purpose ranges (IANA registries), and IPv6 prefixes that embed an IPv4 address a gateway would reach for
    /// us (NAT64, 6to4, Teredo, IPv4-compatible): through those a private IPv4 address hides behind a "public" IPv6 one.
    /// </summary>
    private static readonly IPNetwork[] Refused =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/3", // multicast, reserved and broadcast
            "168.63.129.16/32", // Azure's platform endpoint (wireserver), reachable from every VM
            "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
            "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(IPNetwork.Parse),
    ];

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return !IPAddress.IsLoopback(address) && !Refused.Any(network => network.Contains(address));
    }

    /// <summary>A connect callback for <see cref="SocketsHttpHandler"/> that refuses non-public addresses.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(bool allowPrivate) =>
        async (context, ct) =>
        {
            var resolved = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var permitted = resolved.Where(a => allowPrivate || IsPublic(a)).ToArray();
            if (permitted.Length == 0)
            {
                throw new HttpRequestException("The webhook's host has no public address; private networks are not called.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(permitted, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
