using System.Net;
using System.Net.Sockets;
using Cognive.Client.Api;
using Cognive.Client.Chat;
using Cognive.Client.Hosting;
using Cognive.Client.Runs;
using Cognive.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace Cognive.Tests.Sdk;

/// <summary>The budget check when nothing answers at Cognive's address: fail open (the default) or fail closed, as set.</summary>
public sealed class UnreachableCogniveTests
{
    [Fact]
    public async Task Failing_open_calls_the_model_and_keeps_the_report_for_later()
    {
        await using var sdk = new SdkServices(ClosedAddress(), "cgv_test", options => options.FlushTimeout = TimeSpan.FromMilliseconds(200));
        var model = new StandInModel();
        using var chat = model.AsBuilder().UseCognive(sdk.Cognive).Build();
        using var run = Run(sdk);

        var answer = await chat.GetResponseAsync("Go on.", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("ok", answer.Text);
        Assert.Equal(1, model.Calls);
        await Eventually.HoldsAsync(() => Task.FromResult(sdk.Cognive.Reporter.Statistics.Retries > 0), "the report is being retried",
            TestContext.Current.CancellationToken);
        Assert.Equal(0, sdk.Cognive.Reporter.Statistics.Sent);
    }

    [Fact]
    public async Task Failing_closed_refuses_before_the_model_is_called()
    {
        await using var sdk = new SdkServices(ClosedAddress(), "cgv_test", options =>
            (options.WhenUnreachable, options.FlushTimeout) = (UnreachableBehavior.FailClosed, TimeSpan.FromMilliseconds(200)));
        var model = new StandInModel();
        using var chat = model.AsBuilder().UseCognive(sdk.Cognive).Build();
        using var run = Run(sdk);

        var refused = await Assert.ThrowsAsync<CogniveUnavailableException>(() =>
            chat.GetResponseAsync("Go on.", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(0, model.Calls);
        Assert.IsType<HttpRequestException>(refused.InnerException);
    }

    /// <summary>A run made ambient without the API (which is away in these tests).</summary>
    private static CogniveRun Run(SdkServices sdk)
    {
        var run = new CogniveRun(sdk.Cognive.Reporter, Guid.NewGuid());
        run.Started(Guid.NewGuid());
        return run;
    }

    /// <summary>A loopback address nothing listens on: a port taken and given back.</summary>
    private static Uri ClosedAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
