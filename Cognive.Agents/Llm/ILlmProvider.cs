namespace Cognive.Agents.Llm;

/// <summary>A model behind an API: one completion per call. <see cref="LlmClient"/> wraps it with the budget check and the report.</summary>
public interface ILlmProvider
{
    /// <summary>The provider name reported with each call (lower-case, as Cognive stores it).</summary>
    string Name { get; }

    /// <summary>
    /// Whether its calls cost money. A metered provider's call is estimated from Cognive's price table before it is made;
    /// an unmetered one (the local provider) is checked with an estimate of 0, so policies and spent budgets still apply.
    /// </summary>
    bool Metered { get; }

    /// <summary>The model asked when a request names none.</summary>
    string Model { get; }

    Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct);
}

public sealed record LlmMessage(string Role, string Content);

/// <param name="Model">The model to ask; null for the provider's configured one.</param>
public sealed record LlmRequest(IReadOnlyList<LlmMessage> Messages, int MaxTokens, string? Model = null)
{
    public static LlmRequest FromPrompt(string system, string prompt, int maxTokens) =>
        new([new LlmMessage("system", system), new LlmMessage("user", prompt)], maxTokens);
}

public sealed record LlmUsage(string Provider, string Model, long InputTokens, long OutputTokens, int LatencyMs);

public sealed record LlmResponse(string Text, LlmUsage Usage);
