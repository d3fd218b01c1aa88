using System.Text.Json;

namespace Cognive.Client.Api;

/// <summary>
/// One LLM call as reported. <see cref="EventId"/> is minted by the client, so a call sent twice (a retried batch) is
/// stored once; <see cref="ReservationId"/> is what the budget check answered, and settles its hold.
/// </summary>
public readonly record struct LlmCall(
    Guid EventId,
    Guid RunId,
    string Provider,
    string Model,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    int LatencyMs,
    string Status,
    DateTimeOffset OccurredAt,
    Guid? ReservationId = null,
    JsonElement? Metadata = null)
{
    /// <summary>The status of a call that answered.</summary>
    public const string Success = "success";

    /// <summary>The status of a call that failed (or was cancelled before its end).</summary>
    public const string Error = "error";
}

internal sealed record LlmCallBatch(IReadOnlyList<LlmCall> Events);

/// <summary>A single call accepted.</summary>
public sealed record AcceptedCall(Guid EventId, string Status);

/// <summary>One item's fate in a batch: accepted (perhaps flagged against a policy or budget) or rejected with its field errors.</summary>
public sealed record BatchItemResult(int Index, Guid? EventId, string Status, IReadOnlyDictionary<string, string[]>? Errors, string? Flag);

/// <summary>What a batch of calls came to.</summary>
public sealed record BatchResult(int Accepted, int Rejected, IReadOnlyList<BatchItemResult> Results);

/// <summary>A call as stored and priced.</summary>
public sealed record StoredCall(Guid EventId, string Provider, string Model, long InputTokens, long OutputTokens, long CachedInputTokens,
    int LatencyMs, string Status, decimal? Cost, bool Priced, DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, JsonElement? Metadata);

/// <summary>One page of a run's stored calls.</summary>
public sealed record StoredCallPage(IReadOnlyList<StoredCall> Items, string? NextCursor);
