using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Cognive.SwarmQueen.Quotas;

public static class QuotaServices
{
    /// <summary>The quotas, validated on start, and Kestrel's own body limit at the same size for bodies sent without a length.</summary>
    public static IServiceCollection AddSwarmQuotas(this IServiceCollection services)
    {
        services.AddOptions<SwarmQuotaOptions>().BindConfiguration(SwarmQuotaOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.ChannelMessageBytes <= o.ChannelBytes, "Cognive:Swarm:Quotas:ChannelMessageBytes is at most ChannelBytes.")
            .Validate(o => o.TaskResultBytes < o.RequestBodyBytes, "Cognive:Swarm:Quotas:TaskResultBytes is below RequestBodyBytes.")
            .ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<SwarmQuotaOptions>>((kestrel, quotas) =>
            kestrel.Limits.MaxRequestBodySize = quotas.Value.RequestBodyBytes);
        services.AddSingleton<QuotaRefusals>();
        services.AddSingleton<UsageCounters>();
        return services;
    }

    /// <summary>
    /// A body announced larger than the quota is refused without being kept (413 naming the quota, audited for the caller's
    /// team); after authentication, so the refusal is the team's. An authenticated caller's body is drained first, so it reads
    /// the refusal; an anonymous one is not read at all (no one without a key makes the queen read up to twice the quota).
    /// </summary>
    public static IApplicationBuilder UseRequestBodyQuota(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<SwarmQuotaOptions>>().Value.RequestBodyBytes;
        if (context.Request.ContentLength is { } length && length > limit)
        {
            if (context.User.Identity?.IsAuthenticated == true)
            {
                OversizedBodies.AllowDraining(context.Request, limit);
                await OversizedBodies.DrainAsync(context.Request, context.RequestAborted);
            }

            var refusals = context.RequestServices.GetRequiredService<QuotaRefusals>();
            await (await refusals.RefuseAsync(context.User, Quota.RequestBodyBytes, limit, length, context.RequestAborted)).ExecuteAsync(context);
            return;
        }

        await next(context);
    });
}
