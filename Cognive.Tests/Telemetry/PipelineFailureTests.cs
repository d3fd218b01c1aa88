using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using RabbitMQ.Client;

namespace Cognive.Tests.Telemetry;

/// <summary>What a 202 promises survives crashes and outages: workers killed, RabbitMQ stopped, poison in the queue.</summary>
[Collection(StopsSharedResources.Name)]
public sealed class PipelineFailureTests(SharedApp shared)
{
    private const string LlmCallsQueue = "cognive.llm-calls";
    private const string DeadLetterQueue = "cognive.llm-calls.dead";
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Killing_the_workers_during_ingestion_loses_and_duplicates_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var teamId = await team.TeamIdAsync(ct);
        var runs = new[] { await team.StartRunOfNewAgentAsync(ct), await team.StartRunOfNewAgentAsync(ct) };
        await using var store = await PipelineStore.OpenAsync(_app, ct);
        var accepted = new ConcurrentBag<Guid>();
        using var stopLoad = new CancellationTokenSource();

        var load = Task.Run(async () =>
        {
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                var calls = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid())
                    .Select(id => (Id: id, Call: TeamSession.Call(eventId: id, runId: runs[i % runs.Length], input: 100 + i))).ToList();
                using var response = await team.PostBatchAsync(calls.Select(c => c.Call), ct);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                calls.ForEach(c => accepted.Add(c.Id));
            }
        }, ct);

        var workers = _app.Resources.Single(r => r.Name == "workers");
        for (var kill = 0; kill < 3; kill++)
        {
            var storedBefore = await store.CountCallsAsync(teamId, ct);
            await Eventually.HoldsAsync(async () => await store.CountCallsAsync(teamId, ct) > storedBefore,
                "the workers store calls before being killed", ct);
            await _app.CrashAndRestartAsync("workers", ct);
        }

        await stopLoad.CancelAsync();
        await load;
        await Eventually.HoldsAsync(async () => await store.CountCallsAsync(teamId, ct) >= accepted.Count,
            $"all {accepted.Count} accepted calls are stored", ct, TimeSpan.FromMinutes(2));

        var storedIds = await store.EventIdsAsync(teamId, ct);
        Assert.True(accepted.Count >= 300, $"only {accepted.Count} calls were accepted during the kills");
        Assert.Equal(accepted.Count, storedIds.Count);
        Assert.True(storedIds.SetEquals(accepted), "the stored calls are exactly the accepted ones");
        Assert.All(await store.ConsistencyAsync(teamId, ct), check => Assert.True(check.Raw == check.Derived,
            $"{check.What}: raw {check.Raw}, derived {check.Derived}"));
    }

    [Fact]
    public async Task With_RabbitMQ_stopped_the_API_answers_503_and_recovers_by_itself()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var teamId = await team.TeamIdAsync(ct);
        var runId = await team.StartRunOfNewAgentAsync(ct);
        await using var store = await PipelineStore.OpenAsync(_app, ct);
        var accepted = new List<Guid>();
        var statuses = new List<HttpStatusCode>();
        var rabbit = _app.Resources.Single(r => r.Name == "rabbitmq");

        async Task PostAsync()
        {
            var id = Guid.NewGuid();
            using var response = await team.PostCallAsync(runId, TeamSession.Call(eventId: id), ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add(id);
            }
            else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        await PostAsync();
        await _app.StopResourceAsync("rabbitmq", ct);
        await Eventually.HoldsAsync(async () => { await PostAsync(); return statuses[^1] == HttpStatusCode.ServiceUnavailable; },
            "the API answers 503 while RabbitMQ is down", ct);
        var started = await _app.App.ResourceCommands.ExecuteCommandAsync(rabbit, KnownResourceCommands.StartCommand, ct);
        Assert.True(started.Success, started.Message);
        await Eventually.HoldsAsync(async () => { await PostAsync(); return statuses[^1] == HttpStatusCode.Accepted; },
            "the API accepts calls again once RabbitMQ is back", ct, TimeSpan.FromMinutes(2));
        foreach (var healthy in new[] { "rabbitmq", "api", "workers" })
        {
            await _app.App.ResourceNotifications.WaitForResourceHealthyAsync(healthy, ct).WaitAsync(CogniveApp.BootTimeout, ct);
        }

        await Eventually.HoldsAsync(async () => await store.CountCallsAsync(teamId, ct) >= accepted.Count,
            $"all {accepted.Count} accepted calls are stored", ct, TimeSpan.FromMinutes(2));

        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.True((await store.EventIdsAsync(teamId, ct)).SetEquals(accepted), "the stored calls are exactly the accepted ones");
    }

    [Fact]
    public async Task Poison_messages_are_dead_lettered_and_the_rest_keep_flowing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var teamId = await team.TeamIdAsync(ct);
        var agentId = await team.RegisterAgentAsync("victim", ct);
        var runId = await team.StartRunAsync(agentId, ct);
        var unreadable = $"not json {Guid.NewGuid()}";
        var refusedId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var refused = JsonSerializer.Serialize(new
        {
            events = new[]
            {
                new
                {
                    event_id = refusedId, team_id = teamId, run_id = runId, agent_id = agentId, provider = "openai",
                    model = new string('x', 300), input_tokens = 1, output_tokens = 1, cached_input_tokens = 0, latency_ms = 1,
                    status = "success", occurred_at = now, received_at = now,
                },
            },
        });

        await using var rabbit = await new ConnectionFactory { Uri = new Uri(await _app.GetConnectionStringAsync("rabbitmq", ct)) }
            .CreateConnectionAsync(ct);
        await using (var publisher = await rabbit.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct))
        {
            foreach (var body in new[] { unreadable, refused })
            {
                await publisher.BasicPublishAsync("", LlmCallsQueue, mandatory: true, new BasicProperties { Persistent = true },
                    Encoding.UTF8.GetBytes(body), ct);
            }
        }

        using var good = await team.PostBatchAsync(Enumerable.Range(0, 20).Select(_ => TeamSession.Call(runId: runId)), ct);
        var run = await team.WaitForRunCallsAsync(runId, 20, ct);
        var deadLetters = new Dictionary<string, string>();
        await using var reader = await rabbit.CreateChannelAsync(cancellationToken: ct);
        await Eventually.HoldsAsync(async () =>
        {
            while (await reader.BasicGetAsync(DeadLetterQueue, autoAck: true, ct) is { } message)
            {
                var body = Encoding.UTF8.GetString(message.Body.Span);
                deadLetters[body] = DeathReason(message.BasicProperties);
            }

            return deadLetters.ContainsKey(unreadable) && deadLetters.ContainsKey(refused);
        }, "both poison messages reach the dead-letter queue", ct);
        await using var store = await PipelineStore.OpenAsync(_app, ct);
        var stored = await store.EventIdsAsync(teamId, ct);

        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        Assert.Equal(20, run.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal("rejected", deadLetters[unreadable]);
        Assert.Equal("delivery_limit", deadLetters[refused]);
        Assert.DoesNotContain(refusedId, stored);
    }

    private static string DeathReason(IReadOnlyBasicProperties properties) =>
        properties.Headers?["x-death"] is List<object> { Count: > 0 } deaths && deaths[0] is IDictionary<string, object?> death &&
        death["reason"] is byte[] reason
            ? Encoding.UTF8.GetString(reason)
            : "unknown";
}
