namespace Cognive.Governance.Budgets;

/// <summary>
/// The Lua scripts over the keys of <see cref="BudgetKeys"/>, each one atomic step. Money is counted in micro-dollars
/// inside them. A hold is released by one function, whether it lapsed (pruned by the next reservation) or its call
/// was stored (settled by the workers).
/// </summary>
internal static class BudgetScripts
{
    private const string Release = """
        local function release(holds, held, id)
            if redis.call('ZREM', holds, id) == 1 then
                local amount = redis.call('HGET', held, id)
                if amount then
                    redis.call('HINCRBY', held, '_total', -tonumber(amount))
                    redis.call('HDEL', held, id)
                end
            end
        end

        """;

    // KEYS: per budget (spent, holds, held); last the reservation's record. ARGV: now ms, hold expiry ms, reservation id,
    // estimate µ$, hold lifetime ms, the record (team, then the stems of the keys to settle), then per budget: limit µ$, key lifetime ms.
    // Returns {-1, i}: budget i's spend is not in Redis; {0, i, spent µ$, held µ$}: budget i has no room; {1, least room left µ$}.
    public const string Reserve = Release + """
        local n = (#KEYS - 1) / 3
        local now, estimate = tonumber(ARGV[1]), tonumber(ARGV[4])
        local least = nil
        for i = 1, n do
            local spent = redis.call('GET', KEYS[3 * i - 2])
            if not spent then return {-1, i} end
            local holds, held = KEYS[3 * i - 1], KEYS[3 * i]
            for _, id in ipairs(redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, 100)) do
                release(holds, held, id)
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

    // KEYS: (holds, held) per budget the reservation was held on. ARGV: the reservation id.
    public const string Settle = Release + """
        for i = 1, #KEYS, 2 do
            release(KEYS[i], KEYS[i + 1], ARGV[1])
        end
        return 1
        """;

    // KEYS: per budget (holds, held). ARGV: now ms. Returns each budget's live holds in µ$: the total less the holds that have
    // lapsed but are not pruned yet (the next check prunes them; reading must not write).
    public const string Held = """
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

    // KEYS: a budget's spend. ARGV: the spend summed, the key's lifetime ms. Spend only grows within a period, so a
    // smaller figure is an older sum finishing late.
    public const string Raise = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
        if tonumber(ARGV[1]) >= current then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        end
        return 1
        """;
}
