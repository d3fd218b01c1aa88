namespace Cognive.ApiService;

public static class Extensions
{
    /// <summary>The API stores in PostgreSQL, caches and counts in Redis, and publishes telemetry to RabbitMQ.</summary>
    public static IHostApplicationBuilder AddApiServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("cognive");
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
        return builder;
    }
}
