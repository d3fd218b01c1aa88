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
}
