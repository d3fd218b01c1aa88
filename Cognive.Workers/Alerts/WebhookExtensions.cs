using Microsoft.Extensions.Options;

namespace Cognive.Workers.Alerts;

public static class WebhookExtensions
{
    /// <summary>Budget alerts posted to the teams' webhooks, by <see cref="WebhookDispatcher"/>.</summary>
    public static IHostApplicationBuilder AddWebhookDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookSettings>()
            .BindConfiguration(WebhookSettings.Section)
            .ValidateDataAnnotations()
            .Validate(s => s.RetryCapSeconds >= s.RetryBaseSeconds, "RetryCapSeconds is at least RetryBaseSeconds.")
            .ValidateOnStart();
        builder.Services.AddHttpClient(WebhookSender.ClientName,
                (services, client) => client.Timeout = services.GetRequiredService<IOptions<WebhookSettings>>().Value.Timeout)
            // Receivers are the teams' URLs, not our services: no service-discovery resolution of their host names, and no
            // retries or hedging of the default resilience handler (each attempt is counted, signed and backed off by the
            // dispatcher). Redirects are not followed, so a signed alert goes only where the team pointed it, and only to
            // public addresses (PublicAddresses).
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear())
            .ConfigurePrimaryHttpMessageHandler(services =>
                ReceiverHandler(services.GetRequiredService<IOptions<WebhookSettings>>().Value.AllowPrivateNetworks));
        builder.Services.AddSingleton<DeliveryQueue>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        return builder;
    }

    /// <summary>
    /// The connection to a team's receiver: direct, never through a proxy from the environment (HTTP_PROXY, ALL_PROXY):
    /// a proxy would connect on our behalf and the address guard would check only the proxy's address.
    /// </summary>
    public static SocketsHttpHandler ReceiverHandler(bool allowPrivateNetworks) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = PublicAddresses.ConnectCallback(allowPrivateNetworks),
    };
}
