using Cognive.Data;
using Cognive.Workers.Alerts;
using Cognive.Governance;
using Cognive.Workers.Ingestion;
using Cognive.Workers.Partitions;

namespace Cognive.Workers;

public static class Extensions
{
    /// <summary>The workers consume RabbitMQ, write PostgreSQL and keep counters in Redis.</summary>
    public static IHostApplicationBuilder AddWorkerServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("cognive", configureDataSourceBuilder: data => CallWriter.KeepStagingTable(data.PrepareHotStatements()));
        builder.Services.AddSchemaGate(); // starts beside the migrations service, ready once the schema is current
        builder.AddRedisClient("redis");
        builder.AddRabbitMQClient("rabbitmq");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IngestionMetrics>();
        builder.Services.AddSingleton<CallWriter>();
        builder.Services.AddBudgetSettlement();
        builder.Services.AddHostedService<PartitionMaintenance>();
        builder.Services.AddHostedService<LlmCallConsumer>();
        builder.Services.AddHostedService<QueueDepthMonitor>();
        builder.AddWebhookDelivery();
        builder.AddAlertEmail();
        return builder;
    }
}
