using System.Globalization;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.Workers.Ingestion;

/// <summary>
/// Each team's spend today and this month, in Redis for real-time budget checks. The counters are set to the totals
/// PostgreSQL holds rather than incremented, so a crash between commit and update, or a redelivered batch, leaves them
/// right the next time the team's calls are stored.
/// </summary>
public sealed class SpendCounters(NpgsqlDataSource db, IConnectionMultiplexer redis, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(40);

    public static string DayKey(Guid teamId, DateOnly day) => $"cognive:spend:{teamId:N}:day:{day:yyyy-MM-dd}";

    public static string MonthKey(Guid teamId, DateOnly day) => $"cognive:spend:{teamId:N}:month:{day:yyyy-MM}";

    public async Task RefreshAsync(IReadOnlyCollection<Guid> teamIds, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        await using var command = db.CreateCommand("""
            SELECT team_id, coalesce(sum(cost) FILTER (WHERE day = $2), 0), sum(cost)
            FROM team_daily_spend WHERE team_id = ANY($1) AND day >= $3
            GROUP BY team_id
            """);
        command.Parameters.Add(new() { Value = teamIds.ToArray() });
        command.Parameters.Add(new() { Value = today });
        command.Parameters.Add(new() { Value = monthStart });
        var cache = redis.GetDatabase();
        var writes = new List<Task>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var teamId = reader.GetGuid(0);
                writes.Add(cache.StringSetAsync(DayKey(teamId, today), Format(reader.GetDecimal(1)), Lifetime));
                writes.Add(cache.StringSetAsync(MonthKey(teamId, today), Format(reader.GetDecimal(2)), Lifetime));
            }
        }

        await Task.WhenAll(writes);
    }

    private static string Format(decimal usd) => usd.ToString(CultureInfo.InvariantCulture);
}
