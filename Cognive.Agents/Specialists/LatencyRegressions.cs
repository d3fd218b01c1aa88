namespace Cognive.Agents.Specialists;

/// <summary>One measured duration of <paramref name="Subject"/> (a model's call latency, an agent's run) at a moment.</summary>
public sealed record DurationSample(string Subject, DateTimeOffset At, double Value);

/// <param name="Window">The current window ends now; the previous one is the same length just before it.</param>
/// <param name="Tolerance">How much slower the current p95 may be (0.5: half again as slow) before it is a regression.</param>
/// <param name="MinSamples">Each window needs this many samples for its p95 to mean something.</param>
public sealed record RegressionRule(TimeSpan Window, double Tolerance, int MinSamples);

public sealed record LatencyRegression(string Subject, string Unit, double PreviousP95, double CurrentP95, int PreviousSamples,
    int CurrentSamples) : Finding
{
    public override string Kind => "latency_regression";

    public override string Description =>
        $"{Subject}: p95 {CurrentP95:0.##} {Unit} now against {PreviousP95:0.##} {Unit} in the window before " +
        $"({CurrentSamples} and {PreviousSamples} samples).";
}

/// <summary>Performance: subjects whose p95 in the current window regressed against the previous window.</summary>
public static class LatencyRegressions
{
    public static IReadOnlyList<LatencyRegression> Find(IEnumerable<DurationSample> samples, DateTimeOffset now, RegressionRule rule,
        string unit)
    {
        var currentFrom = now - rule.Window;
        var previousFrom = currentFrom - rule.Window;
        var regressions = new List<LatencyRegression>();
        foreach (var subject in samples.Where(s => s.At >= previousFrom && s.At < now).GroupBy(s => s.Subject))
        {
            var previous = subject.Where(s => s.At < currentFrom).Select(s => s.Value).ToList();
            var current = subject.Where(s => s.At >= currentFrom).Select(s => s.Value).ToList();
            if (previous.Count < rule.MinSamples || current.Count < rule.MinSamples)
            {
                continue;
            }

            var (before, after) = (Percentile(previous, 0.95), Percentile(current, 0.95));
            if (after > before * (1 + rule.Tolerance))
            {
                regressions.Add(new LatencyRegression(subject.Key, unit, Math.Round(before, 2), Math.Round(after, 2), previous.Count, current.Count));
            }
        }

        return regressions.OrderByDescending(r => r.CurrentP95 / Math.Max(r.PreviousP95, double.Epsilon)).ToList();
    }

    /// <summary>Linear interpolation between the closest ranks, as PostgreSQL's percentile_cont (and so the summary API) does.</summary>
    public static double Percentile(IReadOnlyList<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        var rank = fraction * (sorted.Count - 1);
        var below = (int)Math.Floor(rank);
        var above = (int)Math.Ceiling(rank);
        return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
    }
}
