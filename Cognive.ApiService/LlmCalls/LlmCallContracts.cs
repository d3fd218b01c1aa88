using System.Text.Json;

namespace Cognive.ApiService.LlmCalls;

/// <summary>One LLM call as an agent reports it; <see cref="RunId"/> is read only from batch items.</summary>
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
    JsonElement? Metadata);

public sealed record LlmCallBatchRequest(IReadOnlyList<LlmCallRequest>? Events);

public sealed record AcceptedCall(Guid EventId, string Status = "accepted");

public sealed record BatchItemResult(int Index, Guid? EventId, string Status, IDictionary<string, string[]>? Errors);

public sealed record BatchResult(int Accepted, int Rejected, IReadOnlyList<BatchItemResult> Results);

public sealed record StoredCall(Guid EventId, string Provider, string Model, long InputTokens, long OutputTokens,
    long CachedInputTokens, int LatencyMs, string Status, decimal? Cost, bool Priced, DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt, JsonElement? Metadata);

public sealed record StoredCallPage(IReadOnlyList<StoredCall> Items, string? NextCursor);
