namespace Cognive.Workers;

public static class Extensions
{
    /// <summary>The workers consume RabbitMQ, write PostgreSQL and keep counters in Redis.</summary>
    public static IHostApplicationBuilder AddWorkerServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("cognive");
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
        return builder;
    }
}
