using System.Text.Json;
using Cognive.Data;
using Cognive.Data.Audit;
using Cognive.SwarmQueen.Alerts;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Channels;
using Cognive.SwarmQueen.Instances;
using Cognive.SwarmQueen.Kinds;
using Cognive.SwarmQueen.Memory;
using Cognive.SwarmQueen.Quotas;
using Cognive.SwarmQueen.Recovery;
using Cognive.SwarmQueen.Stats;
using Cognive.SwarmQueen.Tasks;

namespace Cognive.SwarmQueen;

public static class Extensions
{
    /// <summary>The queen keeps its registry and tasks in PostgreSQL and caches swarm memory and carries channels in Redis; it watches instances and recovers failed ones.</summary>
    public static IHostApplicationBuilder AddSwarmQueenServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("cognive", configureDataSourceBuilder: data => data.PrepareHotStatements());
        builder.Services.AddSchemaGate(); // starts beside the migrations service, ready once the schema is current
        builder.AddRedisClient("redis");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddAuditSealer(builder.Configuration);
        builder.Services.AddSwarmAuthentication();
        builder.Services.AddSwarmQuotas();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi(openApi => openApi.DocumentInputTextRules());
        builder.Services.AddSingleton<TaskQueue>();
        builder.Services.AddSingleton<InstanceRegistry>();
        builder.Services.AddSingleton<KindOwners>();
        builder.Services.AddSingleton<MemoryStore>();
        builder.Services.AddSingleton<ChannelLog>();
        builder.Services.AddHostedService<SwarmSweeper>();
        builder.Services.AddSwarmRecovery(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// The OpenAPI document (/openapi/v1.json) is public, as the API's; everything under /api/v1/swarm needs a Cognive
    /// credential (as the API) and sees only its team's swarm.
    /// </summary>
    public static WebApplication MapSwarmEndpoints(this WebApplication app)
    {
        app.MapOpenApi();
        var swarm = app.MapGroup("/api/v1/swarm").RequireAuthorization();
        swarm.MapInstanceEndpoints();
        swarm.MapKindEndpoints();
        swarm.MapTaskEndpoints();
        swarm.MapSwarmStats();
        swarm.MapMemoryEndpoints();
        swarm.MapChannelEndpoints();
        swarm.MapRecoveryEndpoints();
        swarm.MapSwarmAlertEndpoints();
        return app;
    }
}
