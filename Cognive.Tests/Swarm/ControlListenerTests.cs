using System.Net;
using System.Net.Sockets;
using Cognive.Hosting.Swarm;

namespace Cognive.Tests.Swarm;

/// <summary>The AppHost's swarm control endpoint listens from the moment the app model names its URL.</summary>
public sealed class ControlListenerTests
{
    [Fact]
    public async Task The_named_url_is_already_served_and_its_port_is_nobody_elses()
    {
        var ct = TestContext.Current.CancellationToken;
        using var control = ControlListener.Open();
        var port = new Uri(control.Url).Port;
        using var intruder = new TcpListener(IPAddress.Loopback, port);
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.Throws<SocketException>(intruder.Start).SocketErrorCode);

        using var client = new HttpClient();
        var answering = Task.Run(async () =>
        {
            var context = await control.Listener.GetContextAsync();
            context.Response.StatusCode = (int)HttpStatusCode.NoContent;
            context.Response.Close();
        }, ct);
        using var answer = await client.GetAsync(control.Url, ct);
        await answering;
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
    }
}
