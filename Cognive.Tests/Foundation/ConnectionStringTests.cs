using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Foundation;

/// <summary>The connection strings the AppHost injects have Aspire's formats and really reach the servers.</summary>
public sealed class ConnectionStringTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;
    private readonly BackingServers _servers = new(shared.App);
    private readonly string _marker = Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Connection_strings_have_the_formats_of_Aspire_integrations()
    {
        var ct = TestContext.Current.CancellationToken;

        Assert.Matches(@"^Host=localhost;Port=\d+;Username=postgres;Password=[A-Za-z0-9]{32};Database=cognive$",
            await _app.GetConnectionStringAsync("cognive", ct));
        Assert.Matches(@"^localhost:\d+,password=[A-Za-z0-9]{32}$", await _app.GetConnectionStringAsync("redis", ct));
        Assert.Matches(@"^amqp://guest:[A-Za-z0-9]{32}@localhost:\d+$", await _app.GetConnectionStringAsync("rabbitmq", ct));
    }

    [Fact]
    public async Task Postgres_stores_and_returns_a_row()
    {
        var ct = TestContext.Current.CancellationToken;

        await _servers.WritePostgresAsync(_marker, ct);

        Assert.True(await _servers.PostgresHasAsync(_marker, ct));
    }

    [Fact]
    public async Task Redis_stores_and_returns_a_key()
    {
        var ct = TestContext.Current.CancellationToken;

        await _servers.WriteRedisAsync(_marker, ct);

        Assert.Equal(_marker, await _servers.ReadRedisAsync(_marker, ct));
    }

    [Fact]
    public async Task RabbitMQ_delivers_a_confirmed_message()
    {
        var ct = TestContext.Current.CancellationToken;

        await _servers.PublishAsync(_marker, ct);

        Assert.Equal(_marker, await _servers.ConsumeAsync(_marker, TimeSpan.FromSeconds(30), ct));
    }
}
