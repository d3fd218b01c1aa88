using System.Net;
using Cognive.Workers.Alerts;

namespace Cognive.Tests.Governance;

/// <summary>Which addresses a webhook may reach when private networks are not allowed.</summary>
public sealed class PublicAddressesTests
{
    [Theory]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::7f00:1", false)] // NAT64 of 127.0.0.1
    [InlineData("2002:a00:1::1", false)] // 6to4 of 10.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", false)] // Teredo
    [InlineData("::a00:1", false)] // IPv4-compatible 10.0.0.1
    [InlineData("198.18.0.1", false)]
    [InlineData("198.19.255.254", false)]
    [InlineData("198.20.0.1", true)]
    [InlineData("192.0.0.170", false)]
    [InlineData("168.63.129.16", false)]
    [InlineData("168.63.129.17", true)]
    [InlineData("2001:4860:4860::8888", true)]
    public void Only_public_addresses_are_called(string address, bool isPublic) =>
        Assert.Equal(isPublic, PublicAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void Webhook_calls_never_go_through_an_environment_proxy()
    {
        using var handler = WebhookExtensions.ReceiverHandler(allowPrivateNetworks: false);

        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
        Assert.NotNull(handler.ConnectCallback);
    }
}
