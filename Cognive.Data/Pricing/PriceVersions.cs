using Microsoft.EntityFrameworkCore;

namespace Cognive.Data.Pricing;

/// <summary>Keeps each model's price versions a chain: every version ends where the next one begins.</summary>
public static class PriceVersions
{
    private const string ChainSql = """
        UPDATE model_prices p SET effective_to = n.next_from
        FROM (SELECT id, lead(effective_from) OVER (PARTITION BY provider, model ORDER BY effective_from) AS next_from
              FROM model_prices) n
        WHERE p.id = n.id AND p.effective_to IS DISTINCT FROM n.next_from
        """;

    public static Task<int> ChainAsync(CogniveDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(ChainSql, ct);
}
