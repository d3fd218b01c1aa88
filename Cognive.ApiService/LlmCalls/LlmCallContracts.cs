using System.Text.Json;

namespace Cognive.ApiService.LlmCalls;

/// <summary>
/// One LLM call as an agent reports it; <see cref="RunId"/> is read only from batch items. <see cref="ReservationId"/>
/// is what a budget check answered, when the agent asked first: storing the call settles that hold.
/// </summary>
public sealed record LlmCallRequest(
    Guid? EventId,
    Guid? RunId,
    string? Provider,
    string? Model,
    long? InputTokens,
    long? OutputTokens,
    long? CachedInputTokens,
    int? LatencyMs,
    string? Status,
    DateTimeOffset? OccurredAt,
    JsonElement? Metadata,
    Guid? ReservationId = null);

public sealed record LlmCallBatchRequest(IReadOnlyList<LlmCallRequest>? Events);

public sealed record AcceptedCall(Guid EventId, string Status = "accepted");

/// <param name="Flag">Set on an accepted call that broke a policy (policy:&lt;id&gt;) or a hard budget (over_budget:&lt;id&gt;).</param>
public sealed record BatchItemResult(int Index, Guid? EventId, string Status, IDictionary<string, string[]>? Errors, string? Flag = null);

public sealed record BatchResult(int Accepted, int Rejected, IReadOnlyList<BatchItemResult> Results);

/// <param name="Flag">Why the call was accepted against the rules: over_budget:&lt;budget id&gt; or policy:&lt;policy id&gt;; null within them.</param>
public sealed record StoredCall(Guid EventId, string Provider, string Model, long InputTokens, long OutputTokens,
    long CachedInputTokens, int LatencyMs, string Status, decimal? Cost, bool Priced, DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt, JsonElement? Metadata, string? Flag);

public sealed record StoredCallPage(IReadOnlyList<StoredCall> Items, string? NextCursor);
