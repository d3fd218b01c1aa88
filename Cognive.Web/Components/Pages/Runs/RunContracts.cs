namespace Cognive.Web.Components.Pages.Runs;

public sealed record RunTotals(long Calls, long InputTokens, long OutputTokens, long CachedInputTokens, decimal Cost, long Errors,
    long UnpricedCalls);

public sealed record RunRow(Guid RunId, Guid AgentId, string Status, string? Error, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    double DurationSeconds, RunTotals Totals);

public sealed record RunPage(IReadOnlyList<RunRow> Items, Guid? NextCursor);

/// <param name="Flag">over_budget:&lt;budget id&gt; or policy:&lt;policy id&gt; when the call was accepted against the rules.</param>
public sealed record CallRow(Guid EventId, string Provider, string Model, long InputTokens, long OutputTokens, long CachedInputTokens,
    int LatencyMs, string Status, decimal? Cost, bool Priced, DateTimeOffset OccurredAt, string? Flag)
{
    /// <summary>The flag in words: which rule the call was accepted against.</summary>
    public string? FlagText => Flag?.Split(':', 2) switch
    {
        ["over_budget", _] => "over budget",
        ["policy", _] => "policy",
        [var other, ..] => other,
        _ => null,
    };
}

public sealed record CallPage(IReadOnlyList<CallRow> Items, string? NextCursor);
