using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Cognive service shares: OpenTelemetry, health endpoints, service discovery, resilient HTTP clients
/// and a request id on every response.
/// </summary>
public static class Extensions
{
    public const string LivenessPath = "/health/liveness";
    public const string ReadinessPath = "/health/readiness";
    public const string MetricsPath = "/metrics";

    /// <summary>Checks tagged with this run on liveness too; everything else is readiness only.</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddSecretSettings();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = InputText.DescribeBindingFailure);
        builder.Services.AddInputTextRules();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // A log line per request and per SQL command costs the hot paths more than the work itself; traces and metrics
        // carry that detail. Configuration (Logging:LogLevel:<category>) can still turn any of them back on.
        foreach (var chatty in new[] { "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Npgsql", "System.Net.Http.HttpClient", "Polly" })
        {
            if (builder.Configuration[$"Logging:LogLevel:{chatty}"] is null)
            {
                builder.Logging.AddFilter(chatty, LogLevel.Warning);
            }
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // Every Cognive meter, whatever the service: features name theirs (Cognive.Governance, Cognive.SwarmQueen).
                .AddMeter("Cognive.*")
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Probes and scrapes arrive every few seconds; their spans would drown the real traffic.
                    aspnet.Filter = context => !IsInfrastructurePath(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Every error answer is RFC 9457 problem details, never a stack trace: exceptions become 500 (or the status a bad
    /// request carries, such as malformed JSON: 400), and empty error responses (404, 405, …) get a body. Text with
    /// control characters is refused before any endpoint sees it (<see cref="InputText"/>).
    /// </summary>
    public static WebApplication UseProblemDetailsForErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // A caller's bad request is answered, not an error of ours to log.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        app.UseInputTextRules();
        return app;
    }

    /// <summary>
    /// Health endpoints in every environment (Kubernetes probes them), Prometheus metrics, and the request id.
    /// Readiness runs every registered check (the client integrations' database, cache and broker checks among them);
    /// liveness only the process's own.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseMiddleware<ServerTimingMiddleware>();
        app.UseMiddleware<RequestIdMiddleware>();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    private static bool IsInfrastructurePath(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}
