using System.Collections.Concurrent;
using System.Globalization;
using Cognive.Data;
using Cognive.Gateway.OpenAi;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Gateway.Calls;

/// <summary>
/// The price in force for a provider's model, a minute in memory, so an answer whose usage is known before it goes out
/// can carry its cost (<c>Cognive-Cost-Usd</c>). The stored cost is always the workers', priced from the table when the
/// call is stored; this is the same rule read a minute earlier.
/// </summary>
public sealed class CallPrices(IServiceScopeFactory scopes, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Provider, string Model), (CallPrice? Price, DateTimeOffset LoadedAt)> _prices = new();

    public async ValueTask<CallPrice?> FindAsync(string provider, string model, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_prices.TryGetValue((provider, model), out var entry) && now - entry.LoadedAt < Lifetime)
        {
            return entry.Price;
        }

        await using var scope = scopes.CreateAsyncScope();
        var price = await scope.ServiceProvider.GetRequiredService<CogniveDbContext>().ModelPrices.AsNoTracking()
            .Where(p => p.Provider == provider && p.Model == model && p.EffectiveFrom <= now && (p.EffectiveTo == null || p.EffectiveTo > now))
            .OrderByDescending(p => p.EffectiveFrom)
            .Select(p => new CallPrice(p.InputPerMillion, p.OutputPerMillion, p.CachedInputPerMillion ?? p.InputPerMillion))
            .FirstOrDefaultAsync(ct);
        // Only priced models are kept: the key is caller input, and unknown names must not grow the cache.
        if (price is not null)
        {
            _prices[(provider, model)] = (price, now);
        }

        return price;
    }
}

/// <summary>Per million tokens; cached input at its own price (the input price where the table has none), as the workers price.</summary>
public sealed record CallPrice(decimal InputPerMillion, decimal OutputPerMillion, decimal CachedInputPerMillion)
{
    public string CostOf(Usage usage) => (((usage.InputTokens - usage.CachedInputTokens) * InputPerMillion
        + usage.CachedInputTokens * CachedInputPerMillion + usage.OutputTokens * OutputPerMillion) / 1_000_000m)
        .ToString(CultureInfo.InvariantCulture);
}
