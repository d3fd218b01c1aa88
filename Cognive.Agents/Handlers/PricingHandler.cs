using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Handlers;

/// <summary>The pricing specialist: reads the prices in force and reports how many models each provider has priced.</summary>
public sealed class PricingHandler : ITaskHandler
{
    public string Type => "pricing";

    public async Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct)
    {
        var prices = await context.Api.GetFromJsonAsync<JsonElement>("/api/v1/pricing", ct);
        return new
        {
            models = prices.GetArrayLength(),
            by_provider = prices.EnumerateArray().GroupBy(p => p.GetProperty("provider").GetString()!)
                .ToDictionary(g => g.Key, g => g.Count()),
        };
    }
}
