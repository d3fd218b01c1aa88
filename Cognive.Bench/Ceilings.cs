using System.Diagnostics;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Cognive.Bench;

/// <summary>What this machine can do at best, measured beside our figures: raw COPY into llm_calls, raw confirmed publishes,
/// a raw Redis round trip.</summary>
public static class Ceilings
{
    /// <summary>Rows per second of binary COPY straight into llm_calls (rows of a scratch team, deleted afterwards).</summary>
    public static async Task<double> CopyRowsPerSecondAsync(string connectionString, int rows, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var connection = await db.OpenConnectionAsync(ct);
        var team = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        await using (var importer = await connection.BeginBinaryImportAsync("""
            COPY llm_calls (event_id, team_id, run_id, agent_id, provider, model, input_tokens, output_tokens,
                cached_input_tokens, latency_ms, status, cost, metadata, occurred_at, received_at) FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            for (var i = 0; i < rows; i++)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(team, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(team, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync(team, NpgsqlDbType.Uuid, ct);
                await importer.WriteAsync("openai", NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync("gpt-4o-mini", NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(1000L + i % 400, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(200L, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(500, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync("success", NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(0.0003m, NpgsqlDbType.Numeric, ct);
                await importer.WriteAsync("{\"step\":1}", NpgsqlDbType.Jsonb, ct);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }

            await importer.CompleteAsync(ct);
        }

        var perSecond = rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
        await using var cleanup = new NpgsqlCommand("DELETE FROM llm_calls WHERE team_id = $1", connection) { Parameters = { new() { Value = team } } };
        await cleanup.ExecuteNonQueryAsync(ct);
        return perSecond;
    }

    /// <summary>
    /// Messages per second published with confirms to a durable quorum queue of its own, the way the API publishes
    /// (persistent, a few channels, many in flight), with a body the size of a one-call message.
    /// </summary>
    public static Task<double> ConfirmedPublishesPerSecondAsync(string connectionString, int messages, CancellationToken ct) =>
        WithScratchQueueAsync(connectionString, async (channels, publish) =>
        {
            const int InFlightPerChannel = 256;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(channels.Select(channel => Task.Run(async () =>
            {
                var inFlight = new List<ValueTask>(InFlightPerChannel);
                for (var i = 0; i < messages / channels.Count; i++)
                {
                    inFlight.Add(publish(channel));
                    if (inFlight.Count == InFlightPerChannel)
                    {
                        foreach (var sent in inFlight)
                        {
                            await sent;
                        }

                        inFlight.Clear();
                    }
                }

                foreach (var sent in inFlight)
                {
                    await sent;
                }
            }, ct)));
            return messages / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }, ct);

    /// <summary>
    /// Latencies of one-message confirmed publishes started at a fixed rate, each awaited on its own: what RabbitMQ alone
    /// takes to confirm a single post's message, the floor under a single post's 202 at that rate.
    /// </summary>
    public static Task<Latencies> PacedConfirmLatenciesAsync(string connectionString, int perSecond, TimeSpan duration, CancellationToken ct) =>
        WithScratchQueueAsync(connectionString, async (channels, publish) =>
        {
            var latencies = new Latencies();
            await Pacing.OpenLoopAsync(perSecond, duration, async i =>
            {
                var sent = Stopwatch.GetTimestamp();
                await publish(channels[i % channels.Count]);
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }, ct);
            return latencies;
        }, ct);

    /// <summary>
    /// Latencies of bare Redis PINGs sent one at a time at a fixed rate: one round trip to another process, the least a
    /// hop of a paced request costs on this machine (a price that has varied 2–3× from day to day).
    /// </summary>
    public static async Task<Latencies> PacedRedisPingLatenciesAsync(string connectionString, int perSecond, TimeSpan duration,
        CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var cache = redis.GetDatabase();
        return await Pacing.OneAtATimeAsync(perSecond, duration, () => cache.PingAsync(), ct);
    }

    /// <summary>Runs <paramref name="measure"/> with four confirming channels and a publish of a one-call-sized persistent
    /// message to a durable quorum queue of its own, deleted afterwards.</summary>
    private static async Task<T> WithScratchQueueAsync<T>(string connectionString,
        Func<IReadOnlyList<IChannel>, Func<IChannel, ValueTask>, Task<T>> measure, CancellationToken ct)
    {
        const int Channels = 4;
        var queue = $"bench.ceiling.{Guid.NewGuid():N}";
        await using var connection = await new ConnectionFactory { Uri = new Uri(connectionString) }.CreateConnectionAsync(ct);
        var channels = new List<IChannel>();
        for (var i = 0; i < Channels; i++)
        {
            channels.Add(await connection.CreateChannelAsync(new CreateChannelOptions(true, true, new ThrottlingRateLimiter(1024)), ct));
        }

        await channels[0].QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
        var body = Encoding.UTF8.GetBytes(new string('x', 420));
        var properties = new BasicProperties { Persistent = true };
        var result = await measure(channels, channel => channel.BasicPublishAsync("", queue, mandatory: true, properties, body, ct));
        await channels[0].QueueDeleteAsync(queue, cancellationToken: ct);
        foreach (var channel in channels)
        {
            await channel.DisposeAsync();
        }

        return result;
    }
}
