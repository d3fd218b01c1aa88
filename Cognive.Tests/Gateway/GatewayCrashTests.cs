using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Gateway;

/// <summary>
/// A gateway killed right after its answers loses none of the calls it answered: each is spooled before its answer
/// completes and replayed by the next gateway. The class runs alone (<see cref="StopsSharedResources"/>), so stopping the shared
/// RabbitMQ and killing the shared gateway here disturbs no other class; both are healthy again before the test ends.
/// </summary>
[Collection(StopsSharedResources.Name)]
public sealed class GatewayCrashTests(SharedApp shared, UpstreamFixture fixture) : IClassFixture<UpstreamFixture>
{
    private readonly CogniveApp _app = shared.App;
    private readonly FakeUpstream _upstream = fixture.Upstream;

    [Fact]
    public async Task Calls_answered_while_RabbitMQ_is_away_are_stored_exactly_once_after_the_gateway_is_killed_and_started_again()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await GatewayTeam.CreateAsync(_app, _upstream, "sk-upstream-crash-tests", ct);
        using var http = team.Http();
        var answered = new List<Guid>();

        async Task CallAsync(bool stream)
        {
            using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = "gpt-4o-mini", stream, messages = new[] { new { role = "user", content = $"crash-{Guid.NewGuid():N}" } },
            }, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.True(!stream || body.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal), body);
            answered.Add(Guid.Parse(response.Headers.GetValues("Cognive-Event-Id").Single()));
        }

        // Published and confirmed before the crash: the replay must not store them twice.
        await CallAsync(stream: false);
        await CallAsync(stream: true);
        await team.StoredCallsAsync(2, ct);

        await _app.StopResourceAsync("rabbitmq", ct);
        for (var i = 0; i < 6; i++)
        {
            await CallAsync(stream: i % 2 == 0);
        }

        await _app.CrashAsync("gateway", ct);
        await _app.StartResourceAsync("rabbitmq", ct);
        foreach (var healthy in new[] { "api", "workers" })
        {
            await _app.App.ResourceNotifications.WaitForResourceHealthyAsync(healthy, ct).WaitAsync(CogniveApp.BootTimeout, ct);
        }

        await _app.StartResourceAsync("gateway", ct);

        var stored = await team.StoredCallsAsync(answered.Count, ct);
        Assert.Equal(answered.Order(), stored.Select(call => call.GetProperty("event_id").GetGuid()).Order());
        var spool = Path.Combine(_app.StateFolder, Cognive.Hosting.CogniveServersExtensions.GatewaySpoolFolderName);
        await Eventually.HoldsAsync(() => Task.FromResult(Directory.EnumerateFiles(spool).All(IsHeld)),
            "the killed gateway's spool segment is deleted once replayed", ct);
    }

    /// <summary>A segment the running gateway holds (its lock) may still hold calls in flight; one nobody holds must be gone.</summary>
    private static bool IsHeld(string path)
    {
        try
        {
            using var probe = File.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
