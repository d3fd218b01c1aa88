namespace Cognive.Agents.Specialists;

/// <summary>A stored LLM call as the API lists it.</summary>
public sealed record CallRecord(Guid EventId, string Provider, string Model, long InputTokens, long OutputTokens,
    long CachedInputTokens, int LatencyMs, string Status, decimal? Cost, bool Priced, DateTimeOffset OccurredAt);

/// <summary>A run with its totals as the API keeps them and the calls stored for it.</summary>
public sealed record RunRecord(Guid RunId, string Agent, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double DurationSeconds,
    long TotalCalls, long TotalInputTokens, long TotalOutputTokens, IReadOnlyList<CallRecord> Calls);

public sealed record DuplicateCalls(Guid RunId, string Provider, string Model, IReadOnlyList<Guid> EventIds) : Finding
{
    public override string Kind => "duplicate_calls";

    public override string Description =>
        $"Run {RunId} holds {EventIds.Count} identical {Provider}/{Model} calls under different event ids (reported twice?).";
}

public sealed record InconsistentCall(Guid RunId, Guid EventId, string Problem) : Finding
{
    public override string Kind => "inconsistent_call";

    public override string Description => $"Call {EventId} of run {RunId}: {Problem}.";
}

public sealed record RunTotalsMismatch(Guid RunId, string Agent, long TotalCalls, long StoredCalls, long TotalTokens, long StoredTokens) : Finding
{
    public override string Kind => "run_totals_mismatch";

    public override string Description =>
        $"Run {RunId} of {Agent} counts {TotalCalls} calls and {TotalTokens} tokens, but {StoredCalls} calls and {StoredTokens} tokens are stored.";
}

/// <summary>
/// Data quality of telemetry: calls reported twice (same content and moment, different event ids), calls whose
/// figures contradict each other, and ended runs whose totals disagree with their stored calls.
/// </summary>
public static class TelemetryChecks
{
    /// <summary>Calls accepted just before a run ended may still be on their way to storage for this long.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(5);

    public static IReadOnlyList<Finding> Find(IEnumerable<RunRecord> runs, DateTimeOffset now)
    {
        var findings = new List<Finding>();
        foreach (var run in runs)
        {
            findings.AddRange(run.Calls
                .GroupBy(c => (c.Provider, c.Model, c.InputTokens, c.OutputTokens, c.CachedInputTokens, c.LatencyMs, c.Status, c.OccurredAt))
                .Where(g => g.Count() > 1)
                .Select(g => new DuplicateCalls(run.RunId, g.Key.Provider, g.Key.Model, g.Select(c => c.EventId).ToList())));
            findings.AddRange(run.Calls.Select(c => Problem(c) is { } problem ? new InconsistentCall(run.RunId, c.EventId, problem) : null)
                .OfType<InconsistentCall>());
            var (storedCalls, storedTokens) = (run.Calls.Count, run.Calls.Sum(c => c.InputTokens + c.OutputTokens));
            var totalTokens = run.TotalInputTokens + run.TotalOutputTokens;
            if (run.EndedAt < now - SettleTime && (run.TotalCalls != storedCalls || totalTokens != storedTokens))
            {
                findings.Add(new RunTotalsMismatch(run.RunId, run.Agent, run.TotalCalls, storedCalls, totalTokens, storedTokens));
            }
        }

        return findings;
    }

    private static string? Problem(CallRecord call) => call switch
    {
        { Status: "success", InputTokens: 0, OutputTokens: 0 } => "a successful call that used no tokens",
        { Priced: false, Cost: not null } => "a cost without a price",
        { Priced: true, Cost: null } => "priced but without a cost",
        _ => null,
    };
}
