using Cognive.SwarmQueen.Alerts;
using Microsoft.Extensions.Options;

namespace Cognive.SwarmQueen.Recovery;

public static class RecoveryServices
{
    /// <summary>Health checks and recovery, acting through the AppHost locally, the Kubernetes API in a cluster, or not at all.</summary>
    public static IServiceCollection AddSwarmRecovery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RecoveryOptions>().BindConfiguration(RecoveryOptions.Section)
            .Validate(o => o.Policies.Values.All(text => RecoveryOptions.TryParsePolicy(text, out _)),
                "Every Cognive:Swarm:Recovery:Policies entry lists process actions (Restart, Recreate, ScaleUp) or is Failover or AlertOnly alone.")
            .ValidateOnStart();
        services.AddSingleton(ControlledKinds.From(configuration));
        services.AddSingleton<RecoveryLedger>();
        services.AddSingleton<SwarmAlerts>();
        services.AddHttpClient(ReadinessProber.ClientName, http => http.Timeout = TimeSpan.FromSeconds(2))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        if (configuration[AppHostRecoveryPort.UrlSetting] is { Length: > 0 })
        {
            services.AddHttpClient<IRecoveryPort, AppHostRecoveryPort>(http => AppHostRecoveryPort.Configure(http, configuration));
        }
        else if (KubernetesRecoveryPort.IsInCluster)
        {
            services.AddSingleton<IRecoveryPort>(_ => KubernetesRecoveryPort.InCluster(configuration));
        }
        else
        {
            services.AddSingleton<IRecoveryPort, NoProcessControl>();
        }

        services.AddHostedService<RecoveryCoordinator>();
        services.AddHostedService<ReadinessProber>();
        return services;
    }
}
