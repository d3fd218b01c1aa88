using Cognive.Data.Audit;

namespace Cognive.ApiService.Audit;

public static class AuditServices
{
    /// <summary>
    /// The audit log and its key (<c>Cognive:Audit:SigningKey</c>, required: the API does not start without it), and the
    /// rounds that sign the chains' heads.
    /// </summary>
    public static IHostApplicationBuilder AddAuditTrail(this IHostApplicationBuilder builder)
    {
        // Resolved when the checkpointer starts, so a missing key stops the API at start.
        builder.Services.AddSingleton(services => AuditKey.From(services.GetRequiredService<IConfiguration>()[AuditKey.Setting]));
        builder.Services.AddSingleton<AuditSealer>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddOptions<AuditCheckpointOptions>().BindConfiguration(AuditCheckpointOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<AuditCheckpointer>();
        return builder;
    }
}
