using Cognive.Credentials;
using Cognive.Data;
using Cognive.Gateway.Calls;
using Cognive.Ingestion;

namespace Cognive.Gateway;

public static class Extensions
{
    /// <summary>
    /// The gateway authenticates callers through the API (<see cref="IntrospectionHandler"/>), reads provider connections
    /// from PostgreSQL, and publishes calls to RabbitMQ through <see cref="TelemetryPublisher"/> (publisher confirms, as
    /// the API): <see cref="CallRecorder"/> for calls that must not delay their answer.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<CogniveDbContext>("cognive");
        builder.AddNpgsqlDataSource("cognive");
        builder.AddRabbitMQClient("rabbitmq");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddApiIntrospection();
        builder.Services.AddSingleton<TelemetryPublisher>();
        builder.Services.AddSingleton<CallRecorder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CallRecorder>());
        return builder;
    }
}
