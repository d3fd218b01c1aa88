namespace Cognive.Agents.Specialists;

/// <param name="Days">How many of the latest days (today included) are examined.</param>
/// <param name="BaselineDays">How many days before each examined day make its baseline.</param>
/// <param name="K">How many standard deviations above the baseline's mean a day must spend.</param>
/// <param name="MinIncreaseUsd">And by how much at least: a flat baseline of cents makes any extra cent a "spike".</param>
public sealed record SpikeRule(int Days, int BaselineDays, double K, decimal MinIncreaseUsd);

/// <summary>One spender (agent, model or provider) and what it spent per UTC day; days without spend are left out.</summary>
public sealed record DailySpend(string Subject, IReadOnlyDictionary<DateOnly, decimal> Spend);

public sealed record SpendSpike(string Subject, DateOnly Day, decimal SpendUsd, decimal BaselineMeanUsd, decimal BaselineStdDevUsd,
    int BaselineDays) : Finding
{
    public override string Kind => "spend_spike";

    public override string Description =>
        $"{Subject} spent {SpendUsd:0.######} USD on {Day:yyyy-MM-dd}, against {BaselineMeanUsd:0.######} USD a day " +
        $"(σ {BaselineStdDevUsd:0.######}) over the {BaselineDays} days before.";
}

/// <summary>Cost anomalies: a day whose spend is above its baseline's mean + k·σ (the previous days, no spend counting 0).</summary>
public static class SpendSpikes
{
    public static IReadOnlyList<SpendSpike> Find(IEnumerable<DailySpend> spenders, DateOnly today, SpikeRule rule)
    {
        var spikes = new List<SpendSpike>();
        foreach (var spender in spenders)
        {
            for (var day = today.AddDays(1 - rule.Days); day <= today; day = day.AddDays(1))
            {
                var baseline = Enumerable.Range(1, rule.BaselineDays).Select(back => SpendOn(spender, day.AddDays(-back))).ToList();
                var mean = baseline.Average();
                var stdDev = (decimal)Math.Sqrt(baseline.Average(s => Math.Pow((double)(s - mean), 2)));
                var spend = SpendOn(spender, day);
                if (spend > mean + (decimal)rule.K * stdDev && spend - mean >= rule.MinIncreaseUsd)
                {
                    spikes.Add(new SpendSpike(spender.Subject, day, spend, decimal.Round(mean, 6), decimal.Round(stdDev, 6), rule.BaselineDays));
                }
            }
        }

        return spikes.OrderByDescending(s => s.SpendUsd - s.BaselineMeanUsd).ToList();
    }

    private static decimal SpendOn(DailySpend spender, DateOnly day) => spender.Spend.GetValueOrDefault(day);
}
