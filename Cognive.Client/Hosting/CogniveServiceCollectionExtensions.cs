using Cognive.Client.Api;
using Cognive.Client.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Cognive.Client.Hosting;

/// <summary>Registration: <c>builder.Services.AddCogniveClient()</c>.</summary>
public static class CogniveServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="CogniveClient"/> (and <see cref="CogniveApi"/>) with settings from the connection string
    /// <paramref name="connectionName"/> (<c>Endpoint=…;Key=…</c>, as an Aspire <c>WithReference</c> gives it), the section
    /// <c>Cognive:Client</c>, then <paramref name="configure"/>. Validated at start; queued reports are sent when the host stops.
    /// </summary>
    public static IServiceCollection AddCogniveClient(this IServiceCollection services, string connectionName = "cognive-api",
        Action<CogniveClientOptions>? configure = null)
    {
        services.AddOptions<CogniveClientOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                configuration.GetSection(CogniveClientOptions.Section).Bind(options);
                if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
                {
                    options.ApplyConnectionString(connectionString);
                }
            })
            .Configure(options => configure?.Invoke(options))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CogniveClientOptions>, CogniveClientOptionsValidator>());
        // Read once: the factory runs this for every client it hands out, and the reporter still sends (its final flush)
        // while the service provider is being disposed, when nothing more can be resolved from it.
        CogniveClientOptions? settings = null;
        services.AddHttpClient(CogniveApi.HttpClientName, (provider, http) =>
        {
            var options = settings ??= provider.GetRequiredService<IOptions<CogniveClientOptions>>().Value;
            http.BaseAddress = options.Endpoint;
            http.Timeout = options.RequestTimeout;
            http.DefaultRequestHeaders.Add("X-API-Key", options.Key);
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CogniveApi>();
        services.TryAddSingleton(provider => new CallReporter(provider.GetRequiredService<CogniveApi>(),
            provider.GetRequiredService<IOptions<CogniveClientOptions>>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<CallReporter>>(), provider.GetService<IMeterFactory>()));
        services.TryAddSingleton<CogniveClient>();
        services.AddHostedService<FlushOnStop>();
        return services;
    }

    /// <summary>
    /// Sends what is queued when the host stops, within the flush timeout. Registered with the client, so it stops after
    /// the services registered later (an agent's workers): their last reports are queued by then.
    /// </summary>
    private sealed class FlushOnStop(CogniveClient cognive) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => cognive.FlushAsync(ct: cancellationToken);
    }
}
