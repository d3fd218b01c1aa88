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
        builder.Services.AddAuditSealer(builder.Configuration);
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddOptions<AuditCheckpointOptions>().BindConfiguration(AuditCheckpointOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<AuditCheckpointer>();
        return builder;
    }
}
