using System.Globalization;
using Cognive.Data.Budgets;
using StackExchange.Redis;

namespace Cognive.Governance.Budgets;

/// <summary>
/// The Redis key layout of budgets, in one place. Per budget and period, under one stem: <c>:spent</c> (USD, set from
/// PostgreSQL by the workers), <c>:holds</c> (reservation id → expiry ms, a sorted set) and <c>:held</c> (reservation id →
/// µ$, plus <c>_total</c>); per reservation, a record naming its team and the stems it holds on.
/// </summary>
public static class BudgetKeys
{
    /// <summary>The stem of a budget's keys in the period that contains <paramref name="now"/>.</summary>
    public static string Stem(Guid budgetId, BudgetPeriod period, DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"cognive:budget:{budgetId:N}:{BudgetPeriods.StartOf(period, now):yyyyMMdd}");

    public static RedisKey Spent(string stem) => stem + ":spent";

    public static RedisKey Holds(string stem) => stem + ":holds";

    public static RedisKey Held(string stem) => stem + ":held";

    /// <summary>The key naming a reservation's team and the budgets it holds on ('|'-separated: team, key stems).</summary>
    public static RedisKey Reservation(Guid reservationId) => $"cognive:reservation:{reservationId:N}";

    /// <summary>A period's keys outlive it by a day; a total budget's are refreshed by every write and rebuilt when gone.</summary>
    public static TimeSpan Lifetime(BudgetPeriod period, DateTimeOffset now) =>
        BudgetPeriods.ResetOf(period, now) is { } reset ? reset - now + TimeSpan.FromDays(1) : TimeSpan.FromDays(7);
}
