using Cognive.Client.Chat;
using Microsoft.Extensions.AI;

namespace Cognive.Agents.Llm;

/// <summary>
/// Stands in for a model in local runs and tests: no network, and the same prompt always gives the same answer and
/// the same token counts. The "summary" is the prompt's first lines, cut to the token limit.
/// </summary>
public sealed class LocalDeterministicChatClient() : WholeAnswerChatClient(new ChatClientMetadata(ProviderName, defaultModelId: ModelName))
{
    public const string ProviderName = "local";
    public const string ModelName = "cognive-local-1";
    private const int SummaryLines = 3;
    private const int DefaultMaxTokens = 200;

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var lines = prompt.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(SummaryLines);
        var text = string.Join(" ", lines);
        var maxChars = (options?.MaxOutputTokens ?? DefaultMaxTokens) * 4;
        if (text.Length > maxChars)
        {
            text = text[..maxChars];
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = ModelName,
            Usage = new UsageDetails { InputTokenCount = TokenEstimate.Of(messages), OutputTokenCount = TokenEstimate.Of(text.Length) },
        });
    }
}
