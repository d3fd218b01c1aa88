namespace Cognive.Agents.Llm;

/// <summary>
/// Stands in for a model in local runs and tests: no network, and the same prompt always gives the same answer and
/// the same token counts. The "summary" is the prompt's first lines, cut to the token limit.
/// </summary>
public sealed class LocalDeterministicProvider : ILlmProvider
{
    public const string ProviderName = "local";
    public const string ModelName = "cognive-local-1";
    private const int SummaryLines = 3;

    public string Name => ProviderName;

    public bool Metered => false;

    public string Model => ModelName;

    public Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct)
    {
        var prompt = request.Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";
        var lines = prompt.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(SummaryLines);
        var text = string.Join(" ", lines);
        var maxChars = request.MaxTokens * 4;
        if (text.Length > maxChars)
        {
            text = text[..maxChars];
        }

        // Latency 0: nothing was waited for, and a measured figure would make the output differ between runs.
        var usage = new LlmUsage(ProviderName, ModelName, TokenCount.Of(request.Messages), TokenCount.Of(text), 0);
        return Task.FromResult(new LlmResponse(text, usage));
    }
}
