using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Hosting;

/// <summary>
/// Without the dashboard (tests, benchmarks) nothing receives the services' OTLP export, yet Aspire still points them at a
/// fallback address (Aspire.Hosting.Testing's <c>http://localhost:4317</c>): every service then serialised its traces,
/// metrics and logs each second, failed to connect, and kept the batches in memory to retry. Measured in the gateway
/// benchmark, that exporter's retry loop was the busiest managed code after the requests themselves. So with no dashboard
/// the services get no OTLP endpoint (ServiceDefaults adds the exporter only when one is set); their own metrics stay
/// on <c>/metrics</c>. Service name and instance attributes are kept: they name the processes.
/// </summary>
public static class TelemetryExport
{
    private static readonly string[] ExportVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"];

    public static IDistributedApplicationBuilder DropOtlpExportWithoutDashboard(this IDistributedApplicationBuilder builder)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            if (!e.Services.GetRequiredService<DistributedApplicationOptions>().DisableDashboard ||
                !e.Services.GetRequiredService<DistributedApplicationExecutionContext>().IsRunMode)
            {
                return Task.CompletedTask;
            }

            // Added before start, after AddProject's own OTLP callback, so it runs after it.
            foreach (var service in e.Model.Resources.OfType<ProjectResource>())
            {
                service.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                {
                    foreach (var name in ExportVariables)
                    {
                        context.EnvironmentVariables.Remove(name);
                    }
                }));
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
