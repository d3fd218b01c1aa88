namespace Cognive.SwarmQueen;

public static class Extensions
{
    /// <summary>The queen keeps its registry and tasks in PostgreSQL and heartbeats and swarm memory in Redis.</summary>
    public static IHostApplicationBuilder AddSwarmQueenServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("cognive");
        builder.AddRedisClient("redis");
        return builder;
    }
}
