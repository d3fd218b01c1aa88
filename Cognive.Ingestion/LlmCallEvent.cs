using System.Text.Json;

namespace Cognive.Ingestion;

/// <summary>
/// One LLM call as the API accepted it: validated, attributed to its team, run and agent, and stamped with the
/// moment it was accepted. Prices are not part of it: the workers price calls from the table.
/// <see cref="Flag"/> says why it was accepted against a budget or policy; <see cref="ReservationId"/> names the budget
/// reservation it settles.
/// </summary>
public sealed record LlmCallEvent(
    Guid EventId,
    Guid TeamId,
    Guid RunId,
    Guid AgentId,
    string Provider,
    string Model,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    int LatencyMs,
    string Status,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    JsonElement? Metadata,
    string? Flag = null,
    Guid? ReservationId = null);

/// <summary>What one message on the queue carries: the events of one API request, stored together or not at all.</summary>
public sealed record LlmCallMessage(IReadOnlyList<LlmCallEvent> Events);
