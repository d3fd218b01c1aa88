
namespace Cognive.Governance.Policies;

/// <summary>The rules of a policy that need no counting: provider, model, size of a call and time of day.</summary>
public static class PolicyEvaluator
{
    /// <summary>The first rule broken; a provider or model not given (a check that names neither) is not held against the lists.</summary>
    public static PolicyViolation? Evaluate(IEnumerable<PolicyView> policies, string? provider, string? model, long tokens,
        DateTimeOffset at)
    {
        foreach (var policy in policies)
        {
            if (provider is not null && policy.AllowedProviders is { } providers && !providers.Contains(provider, StringComparer.OrdinalIgnoreCase))
            {
                return new(policy, "allowed_providers", $"Provider '{provider}' is not allowed by policy '{policy.Name}'.");
            }

            if (model is not null && policy.AllowedModels is { } models && !models.Contains(model, StringComparer.OrdinalIgnoreCase))
            {
                return new(policy, "allowed_models", $"Model '{model}' is not allowed by policy '{policy.Name}'.");
            }

            if (policy.MaxTokensPerCall is { } maxTokens && tokens > maxTokens)
            {
                return new(policy, "max_tokens_per_call", $"{tokens} tokens exceed the {maxTokens} per call of policy '{policy.Name}'.");
            }

            if (policy is { ActiveFromHour: { } from, ActiveToHour: { } to } && !IsWithin(at.UtcDateTime.Hour, from, to))
            {
                return new(policy, "active_hours", $"Policy '{policy.Name}' allows calls from {from:00}:00 to {to:00}:00 UTC only.");
            }
        }

        return null;
    }

    /// <summary>[from, to) in hours; a window that wraps midnight (22 → 6) is the hours outside [to, from).</summary>
    public static bool IsWithin(int hour, int from, int to) =>
        from <= to ? hour >= from && hour < to : hour >= from || hour < to;
}

/// <param name="Rule">The rule broken: allowed_providers, allowed_models, max_tokens_per_call, active_hours, max_calls_per_minute.</param>
public sealed record PolicyViolation(PolicyView Policy, string Rule, string Detail);
