using System.Text.Json.Serialization;

namespace Cognive.Workers.Alerts;

/// <summary>The body of a budget alert's delivery; <see cref="Id"/> is the alert's, the same on every retry and webhook.</summary>
public sealed record WebhookPayload(Guid Id, string Type, Guid TeamId, Guid BudgetId, string BudgetName, int Threshold,
    decimal SpentUsd, decimal LimitUsd, DateTimeOffset PeriodStart, DateTimeOffset FiredAt)
{
    public const string ThresholdCrossed = "budget.threshold_crossed";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJson : JsonSerializerContext;
