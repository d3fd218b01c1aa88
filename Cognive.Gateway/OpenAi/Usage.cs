using System.Text.Json;

namespace Cognive.Gateway.OpenAi;

/// <summary>The tokens an OpenAI answer reports (<c>usage</c>), with the cached part of the input.</summary>
public sealed record Usage(long InputTokens, long OutputTokens, long CachedInputTokens)
{
    /// <summary>The <c>usage</c> of a completion or an embeddings answer; null when it has none.</summary>
    public static Usage? Read(ReadOnlyMemory<byte> json) => ReadChunk(json).Usage;

    /// <summary>
    /// A stream chunk's usage, and whether it is only the usage chunk (no choices): the one the gateway removes when it,
    /// not the client, asked for it.
    /// </summary>
    public static (Usage? Usage, bool UsageOnly) ReadChunk(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
            {
                return (null, false);
            }

            var cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
                ? Number(details, "cached_tokens")
                : 0;
            var usageOnly = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array &&
                            choices.GetArrayLength() == 0;
            return (new Usage(Number(usage, "prompt_tokens"), Number(usage, "completion_tokens"), cached), usageOnly);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }

    private static long Number(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : 0;
}
