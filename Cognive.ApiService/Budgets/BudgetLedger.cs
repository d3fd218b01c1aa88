using System.Globalization;
using Cognive.ApiService.Governance;
using Cognive.Data.Budgets;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.ApiService.Budgets;

/// <summary>
/// Budgets' spend and reservations in Redis. A check reserves its estimate on every hard budget it falls under in
/// one Lua script, so concurrent checks cannot all see the same room; the workers set the spend from PostgreSQL and
/// settle the reservation when the call is stored. Money is counted in micro-dollars inside the script.
/// </summary>
public sealed class BudgetLedger(IConnectionMultiplexer redis, NpgsqlDataSource db, TimeProvider time)
{
    /// <summary>How long an estimate is held when no call settles it.</summary>
    public static readonly TimeSpan HoldLifetime = TimeSpan.FromMinutes(5);

    // KEYS: per budget (spent, holds, held); last the reservation's record. ARGV: now ms, hold expiry ms, reservation id,
    // estimate µ$, hold lifetime ms, the record (team, then the stems of the keys to settle), then per budget: limit µ$, key lifetime ms.
    // Returns {-1, i}: budget i's spend is not in Redis; {0, i, spent µ$, held µ$}: budget i has no room; {1, least room left µ$}.
    private const string ReserveScript = """
        local n = (#KEYS - 1) / 3
        local now, estimate = tonumber(ARGV[1]), tonumber(ARGV[4])
        local least = nil
        for i = 1, n do
            local spent = redis.call('GET', KEYS[3 * i - 2])
            if not spent then return {-1, i} end
            local holds, held = KEYS[3 * i - 1], KEYS[3 * i]
            for _, id in ipairs(redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, 100)) do
                local amount = redis.call('HGET', held, id)
                if amount then
                    redis.call('HINCRBY', held, '_total', -tonumber(amount))
                    redis.call('HDEL', held, id)
                end
                redis.call('ZREM', holds, id)
            end
            local reserved = tonumber(redis.call('HGET', held, '_total') or '0')
            local spentMicros = math.floor(tonumber(spent) * 1000000 + 0.5)
            local room = tonumber(ARGV[5 + 2 * i]) - spentMicros - reserved - estimate
            if room < 0 then return {0, i, spentMicros, reserved} end
            if least == nil or room < least then least = room end
        end
        for i = 1, n do
            local lifetime = ARGV[6 + 2 * i]
            redis.call('ZADD', KEYS[3 * i - 1], ARGV[2], ARGV[3])
            redis.call('HSET', KEYS[3 * i], ARGV[3], estimate)
            redis.call('HINCRBY', KEYS[3 * i], '_total', estimate)
            redis.call('PEXPIRE', KEYS[3 * i - 1], lifetime)
            redis.call('PEXPIRE', KEYS[3 * i], lifetime)
        end
        redis.call('SET', KEYS[#KEYS], ARGV[6], 'PX', ARGV[5])
        return {1, least}
        """;

    public async Task<Reservation> ReserveAsync(IReadOnlyList<BudgetView> budgets, decimal estimateUsd, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var reservationId = Guid.CreateVersion7(now);
        var stems = budgets.Select(b => BudgetPeriods.KeyStem(b.Id, b.Period, now)).ToList();
        RedisKey[] keys = [.. stems.SelectMany(s => new RedisKey[] { s + ":spent", s + ":holds", s + ":held" }), BudgetPeriods.ReservationKey(reservationId)];
        RedisValue[] args =
        [
            now.ToUnixTimeMilliseconds(), (now + HoldLifetime).ToUnixTimeMilliseconds(), reservationId.ToString("N"),
            Micros(estimateUsd), (long)HoldLifetime.TotalMilliseconds, string.Join('|', [budgets[0].TeamId.ToString("N"), .. stems]),
            .. budgets.SelectMany(b => new RedisValue[] { Micros(b.AmountUsd), (long)BudgetPeriods.KeyLifetime(b.Period, now).TotalMilliseconds }),
        ];

        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, keys, args))!;
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
            budgets.Select(b => (RedisKey)(BudgetPeriods.KeyStem(b.Id, b.Period, now) + ":spent")).ToArray());
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

    // KEYS: per budget (holds, held). ARGV: now ms. Returns each budget's live holds in µ$: the total less the holds that have
    // lapsed but are not pruned yet (the next check prunes them; reading must not write).
    private const string HeldScript = """
        local now, result = tonumber(ARGV[1]), {}
        for i = 1, #KEYS / 2 do
            local holds, held = KEYS[2 * i - 1], KEYS[2 * i]
            local total = tonumber(redis.call('HGET', held, '_total') or '0')
            for _, id in ipairs(redis.call('ZRANGEBYSCORE', holds, '-inf', now)) do
                total = total - tonumber(redis.call('HGET', held, id) or '0')
            end
            result[i] = total
        end
        return result
        """;

    /// <summary>What checks hold on each budget now, in USD: estimates of calls allowed and not yet stored.</summary>
    public async Task<IReadOnlyDictionary<Guid, decimal>> HeldAsync(IReadOnlyList<BudgetView> budgets)
    {
        if (budgets.Count == 0)
        {
            return new Dictionary<Guid, decimal>();
        }

        var now = time.GetUtcNow();
        RedisKey[] keys = [.. budgets.Select(b => BudgetPeriods.KeyStem(b.Id, b.Period, now))
            .SelectMany(stem => new RedisKey[] { stem + ":holds", stem + ":held" })];
        var held = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(HeldScript, keys, [now.ToUnixTimeMilliseconds()]))!;
        return budgets.Select((b, i) => (b.Id, Usd: (decimal)(long)held[i] / 1_000_000m)).ToDictionary(x => x.Id, x => x.Usd);
    }

    /// <summary>Redis lost the spend (restart without data, eviction, expiry): PostgreSQL has it. Set only where still missing,
    /// so a newer value a worker wrote meanwhile wins.</summary>
    private async Task<IReadOnlyDictionary<Guid, decimal>> RebuildAsync(IReadOnlyList<BudgetView> budgets, DateTimeOffset now, CancellationToken ct)
    {
        var spent = await BudgetSpending.SpentAsync(db, budgets.Select(b => b.Scope).ToList(), now, ct);
        var cache = redis.GetDatabase();
        await Task.WhenAll(budgets.Select(b => cache.StringSetAsync(BudgetPeriods.KeyStem(b.Id, b.Period, now) + ":spent",
            spent[b.Id].ToString(CultureInfo.InvariantCulture), BudgetPeriods.KeyLifetime(b.Period, now), When.NotExists)));
        return spent;
    }

    private static long Micros(decimal usd) => (long)Math.Ceiling(usd * 1_000_000m);
}

/// <param name="Remaining">Room left on the tightest budget after this reservation.</param>
/// <param name="Blocking">The budget without room, when not allowed.</param>
public sealed record Reservation(bool Allowed, Guid? Id, decimal Remaining, BudgetView? Blocking, decimal Spent, decimal Reserved,
    DateTimeOffset? ExpiresAt);
