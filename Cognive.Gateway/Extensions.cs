using Cognive.Credentials;
using Cognive.Data;
using Cognive.Data.Providers;
using Cognive.Gateway.Calls;
using Cognive.Gateway.Governance;
using Cognive.Gateway.OpenAi;
using Cognive.Gateway.Providers;
using Cognive.Governance;
using Cognive.Ingestion;
using Cognive.RateLimits;

namespace Cognive.Gateway;

public static class Extensions
{
    /// <summary>
    /// The gateway authenticates callers through the API (<see cref="IntrospectionHandler"/>) and counts their requests in
    /// the API's per-key window (Redis, <see cref="RateLimitMiddleware"/>), reads provider connections
    /// from PostgreSQL, and publishes calls to RabbitMQ through <see cref="TelemetryPublisher"/> (publisher confirms, as
    /// the API): <see cref="CallRecorder"/> for calls that must not delay their answer, spooled locally until confirmed
    /// (<see cref="CallSpool"/>). Budgets and policies are checked in this process by the API's own rules
    /// (Cognive.Governance over PostgreSQL and Redis, <see cref="CallGovernor"/>); runs are the API's, asked over HTTP
    /// with the caller's credential (<see cref="CogniveApi"/>).
    /// </summary>
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<CogniveDbContext>("cognive");
        builder.AddNpgsqlDataSource("cognive", configureDataSourceBuilder: data => data.PrepareHotStatements());
        builder.Services.AddSchemaGate(); // starts beside the migrations service, ready once the schema is current
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddApiIntrospection();
        // In front of every LLM call, where a Redis round trip is a third of the added-latency budget (< 1 ms): a key far
        // from its limit is counted behind its request, not before it.
        builder.Services.AddRateLimits<IntrospectedRateSubjects>(admitAhead: true);
        // Ahead of the default writer, which would otherwise answer every problem.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, OpenAiProblemWriter>());
        builder.Services.AddSingleton<TelemetryPublisher>();
        builder.Services.AddSingleton<CallSpool>();
        builder.Services.AddSingleton<CallRecorder>();
        builder.Services.AddSingleton<DailyRuns>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CallRecorder>());
        builder.Services.AddSingleton(ProviderKeyCipher.From(builder.Configuration[ProviderKeyCipher.Setting]));
        builder.Services.AddSingleton<ConnectionDirectory>();
        builder.Services.AddSingleton<CogniveApi>();
        builder.Services.AddSpendGate();
        builder.Services.AddSingleton<CallGovernor>();
        builder.Services.AddSingleton<Forwarder>();
        builder.Services.AddSingleton<GatewayCalls>();
        builder.Services.AddSingleton<CallPrices>();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddGatewayHttpClients();
        return builder;
    }

    /// <summary>
    /// The API is not retried or timed out by the defaults' resilience handler: a run start that reached the API may have
    /// started one. Upstreams are called through <see cref="Upstream"/>, outside the factory.
    /// </summary>
    private static void AddGatewayHttpClients(this IServiceCollection services)
    {
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to replace the defaults' handler for one client.
        services.AddHttpClient(CogniveApi.ClientName, client => client.BaseAddress = new Uri("https+http://api"))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton<Upstream>();
    }
}
