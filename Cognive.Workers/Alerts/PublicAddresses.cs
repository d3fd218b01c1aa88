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
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ||
            address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (first & 0xFE) == 0xFC);
        }

        var b = address.GetAddressBytes();
        return !(b[0] is 0 or 10 or 127 || b[0] >= 224 ||
                 (b[0] == 100 && b[1] is >= 64 and <= 127) ||
                 (b[0] == 169 && b[1] == 254) ||
                 (b[0] == 172 && b[1] is >= 16 and <= 31) ||
                 (b[0] == 192 && b[1] == 168));
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
