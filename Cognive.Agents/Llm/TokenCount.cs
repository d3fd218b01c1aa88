namespace Cognive.Agents.Llm;

/// <summary>
/// The usual rule of thumb for English text, one token per four characters: estimates for the budget check, and the
/// local provider's exact count (so its numbers are the same on every run).
/// </summary>
public static class TokenCount
{
    public static long Of(string text) => (text.Length + 3) / 4;

    public static long Of(IEnumerable<LlmMessage> messages) => messages.Sum(m => Of(m.Content));
}
