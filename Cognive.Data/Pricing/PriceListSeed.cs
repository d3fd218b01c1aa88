using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Data.Pricing;

/// <summary>
/// The public list prices shipped in model-prices.json. Seeding adds the versions the table lacks and never changes
/// one it has, so prices added through the API survive every start.
/// </summary>
public static class PriceListSeed
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static async Task<int> ApplyAsync(CogniveDbContext db, CancellationToken ct)
    {
        var list = Load();
        var known = (await db.ModelPrices.Select(p => new { p.Provider, p.Model, p.EffectiveFrom }).ToListAsync(ct))
            .Select(p => (p.Provider, p.Model, p.EffectiveFrom))
            .ToHashSet();
        var added = 0;
        foreach (var entry in list.Prices)
        {
            var from = new DateTimeOffset(entry.EffectiveFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (known.Contains((entry.Provider, entry.Model, from)))
            {
                continue;
            }

            db.ModelPrices.Add(new ModelPrice
            {
                Provider = entry.Provider,
                Model = entry.Model,
                InputPerMillion = entry.Input,
                OutputPerMillion = entry.Output,
                CachedInputPerMillion = entry.CachedInput,
                EffectiveFrom = from,
                Source = $"{entry.Source} (checked {list.CheckedOn:yyyy-MM-dd})",
            });
            added++;
        }

        await db.SaveChangesAsync(ct);
        await PriceVersions.ChainAsync(db, ct);
        return added;
    }

    private static PriceList Load()
    {
        using var stream = typeof(PriceListSeed).Assembly.GetManifestResourceStream("Cognive.Data.Pricing.model-prices.json")
            ?? throw new InvalidOperationException("model-prices.json is not embedded");
        return JsonSerializer.Deserialize<PriceList>(stream, Json)
            ?? throw new InvalidOperationException("model-prices.json is empty");
    }

    private sealed record PriceList(DateOnly CheckedOn, IReadOnlyList<PriceEntry> Prices);

    private sealed record PriceEntry(string Provider, string Model, decimal Input, decimal Output, decimal? CachedInput,
        DateOnly EffectiveFrom, string Source);
}
