using System.Text.Json;
using Cognive.ApiService.Agents;
using Cognive.ApiService.Alerts;
using Cognive.ApiService.Analytics;
using Cognive.ApiService.ApiKeys;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Budgets;
using Cognive.ApiService.LlmCalls;
using Cognive.ApiService.Policies;
using Cognive.ApiService.Pricing;
using Cognive.Governance;
using Cognive.ApiService.Providers;
using Cognive.ApiService.RateLimits;
using Cognive.RateLimits;
using Cognive.ApiService.Runs;
using Cognive.ApiService.Teams;
using Cognive.ApiService.Users;
using Cognive.Data;
using Cognive.Data.Providers;
using Cognive.Ingestion;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Scalar.AspNetCore;

namespace Cognive.ApiService;

public static class Extensions
{
    public const long MaxRequestBodyBytes = 4 * 1024 * 1024;

    /// <summary>The API stores in PostgreSQL, caches and counts in Redis, and publishes telemetry to RabbitMQ.</summary>
    public static IHostApplicationBuilder AddApiServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<CogniveDbContext>("cognive");
        builder.AddNpgsqlDataSource("cognive", configureDataSourceBuilder: data => data.PrepareHotStatements());
        builder.Services.AddSchemaGate(); // starts beside the migrations service, ready once the schema is current
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCogniveAuthentication(builder.Configuration);
        builder.AddAuditTrail();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default);
        });
        // A batch of 1,000 calls with full metadata fits; anything larger is refused with 413 before it is read.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.AddOpenApi(openApi => openApi.DocumentInputTextRules());
        builder.Services.AddSingleton<AgentCache>();
        builder.Services.AddSingleton<RunStore>();
        builder.Services.AddSingleton<RunDirectory>();
        builder.Services.AddSingleton<CallStore>();
        builder.Services.AddSingleton<TelemetryPublisher>();
        builder.Services.AddSingleton<PublishCoalescer>();
        builder.Services.AddSingleton<AnalyticsQueries>();
        builder.Services.AddSingleton<OverviewQueries>();
        builder.Services.AddRateLimits<ApiRateSubjects>();
        builder.Services.AddSpendGate();
        builder.Services.AddSingleton(ProviderKeyCipher.From(builder.Configuration[ProviderKeyCipher.Setting]));
        return builder;
    }

    /// <summary>
    /// The OpenAPI document (/openapi/v1.json) and its browsable reference (/docs) are public; everything under /api/v1
    /// but login and refresh needs an API key or a bearer token, the permission its endpoint names, and sees only its own
    /// team's objects.
    /// </summary>
    public static WebApplication MapApiEndpoints(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapAgentEndpoints();
        api.MapApiKeyEndpoints();
        api.MapTeamEndpoints();
        api.MapRunEndpoints();
        api.MapLlmCallEndpoints();
        api.MapPricingEndpoints();
        api.MapAnalyticsEndpoints();
        api.MapAuditEndpoints();
        api.MapAuthEndpoints();
        api.MapUserEndpoints();
        api.MapWebhookEndpoints();
        api.MapAlertEndpoints();
        api.MapBudgetEndpoints();
        api.MapPolicyEndpoints();
        api.MapProviderEndpoints();
        return app;
    }

    /// <summary>
    /// The client's address from <c>X-Forwarded-For</c> when a trusted proxy sent it (<see cref="TrustedProxies"/>), before
    /// anything reads it: authentication, rate limits, audit.
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }
}
