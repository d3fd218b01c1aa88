using Cognive.ApiService.Validation;
using Cognive.Data.Telemetry;

namespace Cognive.ApiService.LlmCalls;

/// <summary>What a reported LLM call may hold. Bounds are generous for real calls and refuse nonsense.</summary>
internal static class LlmCallRules
{
    public const int MaxBatchSize = 1000;
    public const int MaxProviderLength = 100;
    public const int MaxModelLength = 200;
    public const long MaxTokens = 100_000_000;
    public const int MaxLatencyMs = 24 * 60 * 60 * 1000;
    public static readonly string[] Statuses = ["success", "error"];

    public static Dictionary<string, string[]>? Validate(LlmCallRequest call, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (call.EventId == Guid.Empty)
        {
            errors["event_id"] = ["event_id must not be the empty UUID."];
        }

        FieldRules.Text(errors, "provider", call.Provider, MaxProviderLength, required: true);
        FieldRules.Text(errors, "model", call.Model, MaxModelLength, required: true);
        Count(errors, "input_tokens", call.InputTokens, required: true);
        Count(errors, "output_tokens", call.OutputTokens, required: true);
        Count(errors, "cached_input_tokens", call.CachedInputTokens, required: false);
        if (call.CachedInputTokens > call.InputTokens)
        {
            errors["cached_input_tokens"] = ["cached_input_tokens is part of input_tokens and cannot exceed it."];
        }

        if (call.LatencyMs is null or < 0 or > MaxLatencyMs)
        {
            errors["latency_ms"] = [$"latency_ms is required, 0 to {MaxLatencyMs}."];
        }

        FieldRules.OneOf(errors, "status", call.Status, Statuses);

        if (call.OccurredAt > now + TelemetrySchema.FurthestFutureCall)
        {
            errors["occurred_at"] = ["occurred_at is in the future."];
        }
        else if (call.OccurredAt < now - TelemetrySchema.OldestAcceptedCall)
        {
            errors["occurred_at"] = [$"occurred_at is at most {TelemetrySchema.OldestAcceptedCall.TotalDays} days ago."];
        }

        FieldRules.JsonObject(errors, "metadata", call.Metadata, FieldRules.MaxMetadataBytes);
        return FieldRules.ErrorsOrNull(errors);
    }

    private static void Count(Dictionary<string, string[]> errors, string field, long? value, bool required)
    {
        if (value is null ? required : value is < 0 or > MaxTokens)
        {
            errors[field] = [$"{field} is {(required ? "required, " : "")}0 to {MaxTokens}."];
        }
    }
}
