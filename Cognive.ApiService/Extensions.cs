using System.Text.Json;
using Cognive.ApiService.Agents;
using Cognive.ApiService.ApiKeys;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Teams;
using Cognive.Data;

namespace Cognive.ApiService;

public static class Extensions
{
    /// <summary>The API stores in PostgreSQL, caches and counts in Redis, and publishes telemetry to RabbitMQ.</summary>
    public static IHostApplicationBuilder AddApiServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<CogniveDbContext>("cognive");
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddApiKeyAuthentication();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        return builder;
    }

    /// <summary>Everything under /api/v1 needs an API key and sees only its own team's objects.</summary>
    public static WebApplication MapApiEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapAgentEndpoints();
        api.MapApiKeyEndpoints();
        api.MapTeamEndpoints();
        return app;
    }
}
