using System.Diagnostics;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cognive.Hosting;

/// <summary>
/// Aspire checks a resource that is not healthy yet again after 1, 2, 3, 4 and then every 5 seconds
/// (<c>ResourceHealthCheckService</c>; the steps are not configurable), so a server or service that became ready just after
/// a check stayed "unhealthy" for up to 5 s, and every resource waiting for it waited as long: at a warm start RabbitMQ
/// was ready 3.4 s before its first successful check, then the API, then the agents. Here each resource's check, while
/// the resource is not healthy, keeps checking every 200 ms for up to 10 s before it answers, so readiness is seen within
/// 200 ms. A healthy resource answers at the first check, as before.
/// </summary>
public static class PromptHealthChecks
{
    public static IDistributedApplicationBuilder ReportHealthPromptly(this IDistributedApplicationBuilder builder)
    {
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                var factory = registration.Factory;
                registration.Factory = services => new UntilHealthy(factory(services));
            }
        });
        return builder;
    }

    private sealed class UntilHealthy(IHealthCheck check) : IHealthCheck
    {
        private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
        private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                HealthCheckResult result;
                try
                {
                    result = await check.CheckHealthAsync(context, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    result = new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
                }

                if (result.Status == HealthStatus.Healthy || Stopwatch.GetElapsedTime(started) + Step >= Window)
                {
                    return result;
                }

                await Task.Delay(Step, cancellationToken);
            }
        }
    }
}
