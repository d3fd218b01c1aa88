using System.Collections.Concurrent;
using Cognive.Data;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Governance.Pricing;

/// <summary>
/// The prices in force, for estimating a call before it is made (budget checks). Kept a minute in memory: an
/// estimate may use a price a minute old; stored calls are always priced by the workers from the table.
/// </summary>
public sealed class PriceBook(IServiceScopeFactory scopes, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (IReadOnlyList<CurrentPrice> Prices, DateTimeOffset LoadedAt)> _byModel = new();

    /// <summary>The cost of a call at the model's current price; with no provider named, the dearest provider's.</summary>
    public async Task<decimal?> EstimateAsync(string? provider, string model, long inputTokens, long maxOutputTokens, CancellationToken ct)
    {
        var prices = await PricesOfAsync(model.Trim().ToLowerInvariant(), ct);
        var candidates = provider is null ? prices : prices.Where(p => p.Provider == provider.Trim().ToLowerInvariant()).ToList();
        return candidates.Count == 0
            ? null
            : candidates.Max(p => (inputTokens * p.InputPerMillion + maxOutputTokens * p.OutputPerMillion) / 1_000_000m);
    }

    private async Task<IReadOnlyList<CurrentPrice>> PricesOfAsync(string model, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_byModel.TryGetValue(model, out var entry) && now - entry.LoadedAt < Lifetime)
        {
            return entry.Prices;
        }

        await using var scope = scopes.CreateAsyncScope();
        var prices = await scope.ServiceProvider.GetRequiredService<CogniveDbContext>().ModelPrices.AsNoTracking()
            .Where(p => p.Model == model && p.EffectiveFrom <= now && (p.EffectiveTo == null || p.EffectiveTo > now))
            .Select(p => new CurrentPrice(p.Provider, p.InputPerMillion, p.OutputPerMillion))
            .ToListAsync(ct);
        // Only known models are kept: the key is caller input, and unknown names must not grow the cache.
        if (prices.Count > 0)
        {
            _byModel[model] = (prices, now);
        }

        return prices;
    }

    private sealed record CurrentPrice(string Provider, decimal InputPerMillion, decimal OutputPerMillion);
}
