using System.Net;
using System.Net.Http.Headers;
using Cognive.Agents.Handlers;
using Cognive.Agents.Llm;
using Cognive.Agents.Swarm;
using Cognive.Client.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Cognive.Agents.Specialists;

public static class SpecialistExtensions
{
    /// <summary>
    /// The built-in task handlers and the model they summarise with (<see cref="LlmOptions"/>), put under Cognive by
    /// <c>UseCognive</c> (a <c>CogniveClient</c> must be registered to call it).
    /// </summary>
    public static IHostApplicationBuilder AddSpecialists(this IHostApplicationBuilder builder)
    {
        builder.AddLlm();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SpecialistReport>();
        builder.Services.AddSingleton<ITaskHandler, NoopHandler>();
        builder.Services.AddSingleton<ITaskHandler, PricingHandler>();
        builder.Services.AddSingleton<ITaskHandler, CostAnomalySpecialist>();
        builder.Services.AddSingleton<ITaskHandler, ReliabilitySpecialist>();
        builder.Services.AddSingleton<ITaskHandler, PerformanceSpecialist>();
        builder.Services.AddSingleton<ITaskHandler, DataQualitySpecialist>();
        return builder;
    }

    private static void AddLlm(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var metered = builder.Configuration[$"{LlmOptions.Section}:Provider"] == LlmOptions.OpenAi;
        if (metered)
        {
            builder.Services.AddHttpClient(OpenAiCompatibleChatClient.ClientName, (services, http) =>
                http.DefaultRequestHeaders.Authorization =
                    new AuthenticationHeaderValue("Bearer", services.GetRequiredService<IOptions<LlmOptions>>().Value.ReadApiKey()));
            builder.Services.AddSingleton<OpenAiCompatibleChatClient>();
        }

        builder.Services.AddChatClient(services => metered
                ? services.GetRequiredService<OpenAiCompatibleChatClient>()
                : new LocalDeterministicChatClient())
            // The local model has no price in Cognive's table: its checks carry an estimate of 0, so policies and spent
            // budgets still apply. A metered model's call is priced from the table.
            .UseCognive(options => options.EstimatedCostUsd = metered ? null : 0m);

        // A 429 from the API is a verdict (over budget, or the key's rate) whose Retry-After can be hours away; the
        // default handler would wait on it until its timeout. The task fails at once instead and the queen retries it.
        builder.Services.ConfigureAll<HttpStandardResilienceOptions>(options =>
        {
            var transient = options.Retry.ShouldHandle;
            options.Retry.ShouldHandle = async args =>
                args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && await transient(args);
        });
    }
}
