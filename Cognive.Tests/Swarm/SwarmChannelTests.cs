using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;

namespace Cognive.Tests.Swarm;

/// <summary>Channels on Redis Streams with consumer groups: nothing is lost while a subscriber restarts.</summary>
public sealed class SwarmChannelTests(SharedApp shared)
{
    private const string Channel = "/api/v1/swarm/channels/agent-communication";
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Messages_sent_while_a_subscriber_restarts_and_those_it_had_not_acknowledged_reach_it_when_back()
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);
        using var other = await SwarmSession.CreateAsync(_app, ct);
        Assert.Empty(await ReceiveAsync(swarm, pending: false, ct));

        await SendAsync(swarm, "before the crash", ct);
        var readBeforeCrash = await ReceiveAsync(swarm, pending: false, ct);
        await SendAsync(swarm, "while it restarts", ct);
        var pendingAfterRestart = await ReceiveAsync(swarm, pending: true, ct);
        var newAfterRestart = await ReceiveAsync(swarm, pending: false, ct);
        using var ack = await swarm.Queen.PostAsJsonAsync($"{Channel}/ack",
            new { group = "workers", ids = pendingAfterRestart.Concat(newAfterRestart).Select(m => m.Id).ToArray() }, ct);
        var pendingAfterAck = await ReceiveAsync(swarm, pending: true, ct);
        var otherTeams = await ReceiveAsync(other, pending: false, ct);

        Assert.Equal(["before the crash"], readBeforeCrash.Select(m => m.Text));
        Assert.Equal(["before the crash"], pendingAfterRestart.Select(m => m.Text));
        Assert.Equal(["while it restarts"], newAfterRestart.Select(m => m.Text));
        Assert.Equal(2, (await TeamSession.ReadAsync(ack, ct)).GetProperty("acknowledged").GetInt64());
        Assert.Empty(pendingAfterAck);
        Assert.Empty(otherTeams);
    }

    [Theory]
    [InlineData("/api/v1/swarm/channels/gossip/messages", """{"body":{"x":1}}""", "channel")]
    [InlineData(Channel + "/messages", """{}""", "body")]
    public async Task A_bad_message_is_refused_with_the_field_named(string path, string body, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var swarm = await SwarmSession.CreateAsync(_app, ct);

        using var response = await swarm.Queen.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);
        var problem = await TeamSession.ReadAsync(response, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {problem}");
    }

    private static async Task SendAsync(SwarmSession swarm, string text, CancellationToken ct)
    {
        using var sent = await swarm.Queen.PostAsJsonAsync($"{Channel}/messages", new { body = new { text } }, ct);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
    }

    private static async Task<List<(string Id, string? Text)>> ReceiveAsync(SwarmSession swarm, bool pending, CancellationToken ct)
    {
        using var response = await swarm.Queen.GetAsync($"{Channel}/messages?group=workers&consumer=w1&pending={pending}", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await TeamSession.ReadAsync(response, ct)).GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("id").GetString()!, m.GetProperty("body").GetProperty("text").GetString())).ToList();
    }
}
