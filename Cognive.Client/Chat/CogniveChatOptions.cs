namespace Cognive.Client.Chat;

/// <summary>How <c>UseCognive</c> checks and reports a chat client's calls.</summary>
public sealed class CogniveChatOptions
{
    /// <summary>Ask for budget before each call (one round trip). Off: calls are only reported.</summary>
    public bool CheckBudget { get; set; } = true;

    /// <summary>The provider reported when the client's metadata names none.</summary>
    public string DefaultProvider { get; set; } = "unknown";

    /// <summary>The output tokens the check assumes when <c>ChatOptions.MaxOutputTokens</c> is not set.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 1024;

    /// <summary>
    /// A fixed estimate sent with each check instead of letting Cognive price the tokens (e.g. 0 for a model that costs
    /// nothing and has no price in Cognive's table). Null: Cognive prices the call from its table.
    /// </summary>
    public decimal? EstimatedCostUsd { get; set; }
}
