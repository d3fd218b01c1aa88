using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// A chat-completions or embeddings request as the gateway needs it: the model it names, whether it streams, and the
/// tokens a budget reservation holds. The body is rewritten only where forwarding needs it (the upstream's model name;
/// usage on streams); everything else reaches the upstream as the client sent it.
/// </summary>
public sealed class OpenAiRequest
{
    /// <summary>About four characters a token for English text and code: an estimate for holding budget, not a price.</summary>
    private const int CharactersPerToken = 4;

    /// <summary>What each chat message adds beyond its text (role, separators), as OpenAI counts it.</summary>
    private const int TokensPerMessage = 4;

    private readonly JsonObject _body;

    private OpenAiRequest(JsonObject body, string model)
    {
        _body = body;
        Model = model;
    }

    public string Model { get; }

    public bool Stream => _body["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var on) && on;

    /// <summary>The client asked for the usage chunk itself: it reaches the client; otherwise the gateway removes it.</summary>
    public bool ClientWantsStreamUsage =>
        _body["stream_options"] is JsonObject options && options["include_usage"] is JsonValue usage && usage.TryGetValue<bool>(out var on) && on;

    /// <summary>The output a reservation holds: what the request caps it at, else <paramref name="fallback"/>.</summary>
    public long MaxOutputTokens(long fallback) =>
        Number("max_completion_tokens") ?? Number("max_tokens") ?? fallback;

    public static OpenAiRequest? Parse(ReadOnlySpan<byte> json, out string? error)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            error = $"The body is not valid JSON: {e.Message}";
            return null;
        }

        if (node is not JsonObject body || body["model"] is not JsonValue model || !model.TryGetValue<string>(out var name) ||
            string.IsNullOrWhiteSpace(name))
        {
            error = "The body is a JSON object naming a model (\"model\": \"gpt-4o-mini\" or \"<connection>/<model>\").";
            return null;
        }

        error = null;
        return new OpenAiRequest(body, name.Trim());
    }

    /// <summary>Input tokens of a chat request: the text of every message, and each message's overhead.</summary>
    public long EstimateChatInputTokens() => _body["messages"] is JsonArray messages
        ? messages.Sum(m => TokensPerMessage + Characters(m) / CharactersPerToken) + 3
        : 0;

    /// <summary>Input tokens of an embeddings request: a string, strings, or token arrays (counted as they are).</summary>
    public long EstimateEmbeddingInputTokens() => _body["input"] switch
    {
        JsonValue text when text.TryGetValue<string>(out var s) => s.Length / CharactersPerToken + 1,
        JsonArray items => items.Sum(item => item switch
        {
            JsonValue text when text.TryGetValue<string>(out var s) => s.Length / CharactersPerToken + 1,
            JsonArray tokens => tokens.Count,
            _ => 1,
        }),
        _ => 0,
    };

    /// <summary>The body for the upstream: its own model name, and for streams usage requested (the last chunk carries it).</summary>
    public byte[] UpstreamBody(string upstreamModel)
    {
        _body["model"] = upstreamModel;
        if (Stream && !ClientWantsStreamUsage)
        {
            var options = _body["stream_options"] as JsonObject ?? new JsonObject();
            options["include_usage"] = true;
            _body["stream_options"] = options;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            _body.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private long? Number(string field) =>
        _body[field] is JsonValue value && value.TryGetValue<long>(out var number) && number > 0 ? number : null;

    /// <summary>Characters of a message's text: its content as a string, or the text parts of a content array.</summary>
    private static long Characters(JsonNode? message) => message?["content"] switch
    {
        JsonValue text when text.TryGetValue<string>(out var s) => s.Length,
        JsonArray parts => parts.Sum(p => p?["text"] is JsonValue t && t.TryGetValue<string>(out var s) ? s.Length : 0),
        _ => 0,
    };
}
