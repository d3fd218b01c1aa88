using System.Text.Json.Serialization;

namespace Cognive.Workers.Alerts;

/// <summary>The body of a budget alert's delivery; <see cref="Id"/> is the alert's, the same on every retry and webhook.</summary>
public sealed record BudgetAlertPayload(Guid Id, string Type, Guid TeamId, Guid BudgetId, string BudgetName, int Threshold,
    decimal SpentUsd, decimal LimitUsd, DateTimeOffset PeriodStart, DateTimeOffset FiredAt);

/// <summary>
/// The body of a swarm alert's delivery (<see cref="Type"/> <c>swarm.circuit_open</c>, <c>swarm.mass_failure</c> or
/// <c>swarm.instance_failed</c>); <see cref="Kind"/> is the agent kind, "*" for the whole swarm.
/// </summary>
public sealed record SwarmAlertPayload(Guid Id, string Type, Guid TeamId, string Kind, string Detail, DateTimeOffset FiredAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BudgetAlertPayload))]
[JsonSerializable(typeof(SwarmAlertPayload))]
internal sealed partial class WebhookJson : JsonSerializerContext;
