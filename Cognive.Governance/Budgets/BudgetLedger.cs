using System.Globalization;
using Cognive.Data.Budgets;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.Governance.Budgets;

/// <summary>
/// Budgets' spend and reservations in Redis (<see cref="BudgetKeys"/>, <see cref="BudgetScripts"/>). A check reserves its
/// estimate on every hard budget it falls under in one script, so concurrent checks cannot all see the same room; the
/// workers raise the spend from PostgreSQL and settle the reservation when the call is stored.
/// </summary>
public sealed class BudgetLedger(IConnectionMultiplexer redis, NpgsqlDataSource db, TimeProvider time)
{
    /// <summary>How long an estimate is held when no call settles it.</summary>
    public static readonly TimeSpan HoldLifetime = TimeSpan.FromMinutes(5);

    public async Task<Reservation> ReserveAsync(IReadOnlyList<BudgetView> budgets, decimal estimateUsd, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var reservationId = Guid.CreateVersion7(now);
        var stems = budgets.Select(b => BudgetKeys.Stem(b.Id, b.Period, now)).ToList();
        RedisKey[] keys = [.. stems.SelectMany(s => new[] { BudgetKeys.Spent(s), BudgetKeys.Holds(s), BudgetKeys.Held(s) }),
            BudgetKeys.Reservation(reservationId)];
        RedisValue[] args =
        [
            now.ToUnixTimeMilliseconds(), (now + HoldLifetime).ToUnixTimeMilliseconds(), reservationId.ToString("N"),
            Micros(estimateUsd), (long)HoldLifetime.TotalMilliseconds, string.Join('|', [budgets[0].TeamId.ToString("N"), .. stems]),
            .. budgets.SelectMany(b => new RedisValue[] { Micros(b.AmountUsd), (long)BudgetKeys.Lifetime(b.Period, now).TotalMilliseconds }),
        ];

        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(BudgetScripts.Reserve, keys, args))!;
            switch ((int)result[0])
            {
                case 1:
                    return new Reservation(true, reservationId, (decimal)(long)result[1] / 1_000_000m, null, 0, 0, now + HoldLifetime);
                case 0:
                    var budget = budgets[(int)result[1] - 1];
                    return new Reservation(false, null, 0, budget, (decimal)(long)result[2] / 1_000_000m, (decimal)(long)result[3] / 1_000_000m, null);
                case -1 when attempt == 0:
                    await RebuildAsync(budgets, now, ct);
                    break;
                default:
                    throw new RedisException("Budget spend could not be rebuilt in Redis.");
            }
        }
    }

    /// <summary>Each budget's spend in its current period: from Redis, rebuilt from PostgreSQL where Redis has none.</summary>
    public async Task<IReadOnlyDictionary<Guid, decimal>> SpentAsync(IReadOnlyList<BudgetView> budgets, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var values = await redis.GetDatabase().StringGetAsync(
            budgets.Select(b => BudgetKeys.Spent(BudgetKeys.Stem(b.Id, b.Period, now))).ToArray());
        var spent = new Dictionary<Guid, decimal>(budgets.Count);
        var missing = new List<BudgetView>();
        for (var i = 0; i < budgets.Count; i++)
        {
            if (values[i].HasValue)
            {
                spent[budgets[i].Id] = decimal.Parse(values[i].ToString(), CultureInfo.InvariantCulture);
            }
            else
            {
                missing.Add(budgets[i]);
            }
        }

        foreach (var (id, amount) in await RebuildAsync(missing, now, ct))
        {
            spent[id] = amount;
        }

        return spent;
    }

    /// <summary>What checks hold on each budget now, in USD: estimates of calls allowed and not yet stored.</summary>
    public async Task<IReadOnlyDictionary<Guid, decimal>> HeldAsync(IReadOnlyList<BudgetView> budgets)
    {
        if (budgets.Count == 0)
        {
            return new Dictionary<Guid, decimal>();
        }

        var now = time.GetUtcNow();
        RedisKey[] keys = [.. budgets.Select(b => BudgetKeys.Stem(b.Id, b.Period, now))
            .SelectMany(stem => new[] { BudgetKeys.Holds(stem), BudgetKeys.Held(stem) })];
        var held = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(BudgetScripts.Held, keys, [now.ToUnixTimeMilliseconds()]))!;
        return budgets.Select((b, i) => (b.Id, Usd: (decimal)(long)held[i] / 1_000_000m)).ToDictionary(x => x.Id, x => x.Usd);
    }

    /// <summary>
    /// Gives Redis the spend just summed in PostgreSQL at <paramref name="at"/> (into the period it was summed for), never
    /// lowering a newer, larger figure another worker wrote.
    /// </summary>
    public Task RaiseSpentAsync(DateTimeOffset at, IEnumerable<(Guid BudgetId, BudgetPeriod Period, decimal Spent)> budgets)
    {
        var cache = redis.GetDatabase();
        return Task.WhenAll(budgets.Select(b => cache.ScriptEvaluateAsync(BudgetScripts.Raise,
            [BudgetKeys.Spent(BudgetKeys.Stem(b.BudgetId, b.Period, at))],
            [b.Spent.ToString(CultureInfo.InvariantCulture), (long)BudgetKeys.Lifetime(b.Period, at).TotalMilliseconds])));
    }

    /// <summary>Releases what a reservation holds once its call is stored. The record names its team: a reservation id
    /// reported by another team settles nothing.</summary>
    public async Task SettleAsync(Guid teamId, Guid reservationId)
    {
        var cache = redis.GetDatabase();
        var record = BudgetKeys.Reservation(reservationId);
        if (await cache.StringGetAsync(record) is { HasValue: true } held &&
            held.ToString().Split('|') is [var team, .. var stems] && team == teamId.ToString("N"))
        {
            RedisKey[] keys = [.. stems.SelectMany(s => new[] { BudgetKeys.Holds(s), BudgetKeys.Held(s) })];
            await cache.ScriptEvaluateAsync(BudgetScripts.Settle, keys, [reservationId.ToString("N")]);
            await cache.KeyDeleteAsync(record);
        }
    }

    /// <summary>Redis lost the spend (restart without data, eviction, expiry): PostgreSQL has it. Set only where still missing,
    /// so a newer value a worker wrote meanwhile wins.</summary>
    private async Task<IReadOnlyDictionary<Guid, decimal>> RebuildAsync(IReadOnlyList<BudgetView> budgets, DateTimeOffset now, CancellationToken ct)
    {
        var spent = await BudgetSpending.SpentAsync(db, budgets.Select(b => b.Scope).ToList(), now, ct);
        var cache = redis.GetDatabase();
        await Task.WhenAll(budgets.Select(b => cache.StringSetAsync(BudgetKeys.Spent(BudgetKeys.Stem(b.Id, b.Period, now)),
            spent[b.Id].ToString(CultureInfo.InvariantCulture), BudgetKeys.Lifetime(b.Period, now), When.NotExists)));
        return spent;
    }

    private static long Micros(decimal usd) => (long)Math.Ceiling(usd * 1_000_000m);
}

/// <param name="Remaining">Room left on the tightest budget after this reservation.</param>
/// <param name="Blocking">The budget without room, when not allowed.</param>
public sealed record Reservation(bool Allowed, Guid? Id, decimal Remaining, BudgetView? Blocking, decimal Spent, decimal Reserved,
    DateTimeOffset? ExpiresAt);
