using Cognive.Tests.Infrastructure;
using StackExchange.Redis;

namespace Cognive.Tests.Foundation;

/// <summary>Redis has a memory ceiling, and when full refuses writes rather than evicting what Cognive needs.</summary>
public sealed class RedisMemoryTests(SharedApp shared)
{
    [Fact]
    public async Task Redis_runs_with_the_default_ceiling_and_never_evicts()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = ConfigurationOptions.Parse(await shared.App.GetConnectionStringAsync("redis", ct));
        options.AllowAdmin = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var server = redis.GetServer(redis.GetEndPoints().Single());

        Assert.Equal("268435456", (await server.ConfigGetAsync("maxmemory")).Single().Value);
        Assert.Equal("noeviction", (await server.ConfigGetAsync("maxmemory-policy")).Single().Value);
    }
}
