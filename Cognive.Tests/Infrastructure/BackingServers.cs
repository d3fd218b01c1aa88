using System.Text;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Cognive.Tests.Infrastructure;

/// <summary>Writes and reads a marker in each server through the connection strings the app hands to its services.</summary>
public sealed class BackingServers(CogniveApp app)
{
    private const string MarkerTable = "test_markers";

    public async Task WritePostgresAsync(string marker, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("cognive", ct));
        await connection.OpenAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"CREATE TABLE IF NOT EXISTS {MarkerTable} (marker text PRIMARY KEY)"),
                new NpgsqlBatchCommand($"INSERT INTO {MarkerTable} VALUES ($1)") { Parameters = { new() { Value = marker } } },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> PostgresHasAsync(string marker, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("cognive", ct));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {MarkerTable} WHERE marker = $1", connection);
        command.Parameters.AddWithValue(marker);
        return (long)(await command.ExecuteScalarAsync(ct))! == 1;
    }

    public async Task WriteRedisAsync(string marker, CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.GetConnectionStringAsync("redis", ct));
        Assert.True(await redis.GetDatabase().StringSetAsync($"test:{marker}", marker));
    }

    public async Task<string?> ReadRedisAsync(string marker, CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await app.GetConnectionStringAsync("redis", ct));
        return await redis.GetDatabase().StringGetAsync($"test:{marker}");
    }

    /// <summary>Publishes a persistent message to a durable quorum queue named after the marker, with a confirm.</summary>
    public async Task PublishAsync(string marker, CancellationToken ct)
    {
        await using var connection = await ConnectRabbitAsync(ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        await channel.QueueDeclareAsync(QueueName(marker), durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
        await channel.BasicPublishAsync("", QueueName(marker), mandatory: true,
            new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes(marker), ct);
    }

    /// <summary>Takes one message from the marker's queue, polling until it arrives or the deadline passes.</summary>
    public async Task<string?> ConsumeAsync(string marker, TimeSpan timeout, CancellationToken ct)
    {
        await using var connection = await ConnectRabbitAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var result = await channel.BasicGetAsync(QueueName(marker), autoAck: true, ct);
            if (result is not null)
            {
                return Encoding.UTF8.GetString(result.Body.Span);
            }

            await Task.Delay(100, ct);
        }

        return null;
    }

    private static string QueueName(string marker) => $"test.{marker}";

    private async Task<IConnection> ConnectRabbitAsync(CancellationToken ct) =>
        await new ConnectionFactory { Uri = new Uri(await app.GetConnectionStringAsync("rabbitmq", ct)) }
            .CreateConnectionAsync(ct);
}
