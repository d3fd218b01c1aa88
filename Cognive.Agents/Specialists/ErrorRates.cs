namespace Cognive.Agents.Specialists;

public sealed record ModelCalls(string Provider, string Model, long Calls, long Errors);

public sealed record HighErrorRate(string Provider, string Model, long Calls, long Errors, double ErrorRate) : Finding
{
    public override string Kind => "high_error_rate";

    public override string Description => $"{Provider}/{Model} failed {Errors} of {Calls} calls ({ErrorRate:P1}).";
}

/// <summary>Reliability of models: providers and models whose share of failed calls is above a threshold.</summary>
public static class ErrorRates
{
    /// <param name="minCalls">Fewer calls say too little: one failure in two calls is no trend.</param>
    public static IReadOnlyList<HighErrorRate> Find(IEnumerable<ModelCalls> models, double maxErrorRate, long minCalls) =>
        models.Where(m => m.Calls >= minCalls && (double)m.Errors / m.Calls > maxErrorRate)
            .Select(m => new HighErrorRate(m.Provider, m.Model, m.Calls, m.Errors, Math.Round((double)m.Errors / m.Calls, 4)))
            .OrderByDescending(f => f.ErrorRate).ThenByDescending(f => f.Errors)
            .ToList();
}
