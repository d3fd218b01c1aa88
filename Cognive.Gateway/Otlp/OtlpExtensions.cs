using Cognive.Data.Audit;

namespace Cognive.Gateway.Otlp;

public static class OtlpExtensions
{
    /// <summary>
    /// OTLP/HTTP trace ingestion: decoding, the GenAI mapping, agents (audited when registered: the audit signing key) and
    /// runs by trace (their keys pruned), durable publishing.
    /// </summary>
    public static IHostApplicationBuilder AddOtlpIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OtlpAgents>();
        builder.Services.AddSingleton<OtlpRuns>();
        builder.Services.AddSingleton<OtlpPublisher>();
        builder.Services.AddSingleton<OtlpIngestor>();
        builder.Services.AddAuditSealer(builder.Configuration);
        builder.Services.AddHostedService<TraceRunPruner>();
        return builder;
    }
}
