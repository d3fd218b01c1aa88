using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Data.Audit;

public static class AuditSealerServices
{
    /// <summary>
    /// The audit key from <c>Cognive:Audit:SigningKey</c>, read now so a service without it does not start, and the sealer
    /// every service that appends audit records uses.
    /// </summary>
    public static IServiceCollection AddAuditSealer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(AuditKey.From(configuration[AuditKey.Setting]));
        services.AddSingleton<AuditSealer>();
        return services;
    }
}
