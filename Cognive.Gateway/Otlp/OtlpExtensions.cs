namespace Cognive.Gateway.Otlp;

public static class OtlpExtensions
{
    /// <summary>OTLP/HTTP trace ingestion: decoding, the GenAI mapping, agents and runs by trace, durable publishing.</summary>
    public static IHostApplicationBuilder AddOtlpIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OtlpAgents>();
        builder.Services.AddSingleton<OtlpRuns>();
        builder.Services.AddSingleton<OtlpPublisher>();
        builder.Services.AddSingleton<OtlpIngestor>();
        return builder;
    }
}
