using System.Globalization;

namespace Cognive.Data.Budgets;

public enum BudgetPeriod
{
    Daily,
    Weekly,
    Monthly,
    Total,
}

/// <summary>Where a budget's current period starts and when it resets, in UTC; weeks start on Monday.</summary>
public static class BudgetPeriods
{
    public static DateTimeOffset StartOf(BudgetPeriod period, DateTimeOffset now)
    {
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return period switch
        {
            BudgetPeriod.Daily => day,
            BudgetPeriod.Weekly => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            BudgetPeriod.Monthly => new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero),
            _ => DateTimeOffset.UnixEpoch,
        };
    }

    /// <summary>Null for a total budget, which never resets.</summary>
    public static DateTimeOffset? ResetOf(BudgetPeriod period, DateTimeOffset now)
    {
        var start = StartOf(period, now);
        return period switch
        {
            BudgetPeriod.Daily => start.AddDays(1),
            BudgetPeriod.Weekly => start.AddDays(7),
            BudgetPeriod.Monthly => start.AddMonths(1),
            _ => null,
        };
    }

    /// <summary>
    /// The stem of a budget's Redis keys in the period that contains <paramref name="now"/>: <c>:spent</c> (USD, set
    /// from PostgreSQL), <c>:holds</c> and <c>:held</c> (reservations not settled yet).
    /// </summary>
    public static string KeyStem(Guid budgetId, BudgetPeriod period, DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"cognive:budget:{budgetId:N}:{StartOf(period, now):yyyyMMdd}");

    /// <summary>The Redis key naming a reservation's team and the budgets it holds on ('|'-separated: team, key stems).</summary>
    public static string ReservationKey(Guid reservationId) => $"cognive:reservation:{reservationId:N}";

    /// <summary>A period's keys outlive it by a day; a total budget's are refreshed by every write and rebuilt when gone.</summary>
    public static TimeSpan KeyLifetime(BudgetPeriod period, DateTimeOffset now) =>
        ResetOf(period, now) is { } reset ? reset - now + TimeSpan.FromDays(1) : TimeSpan.FromDays(7);
}
