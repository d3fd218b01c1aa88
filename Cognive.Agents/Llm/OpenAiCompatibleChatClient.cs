using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Cognive.Agents.Llm;

/// <summary>
/// Any server that speaks OpenAI's chat completions API (OpenAI itself, Azure's compatible endpoint, vLLM, Ollama…):
/// <c>POST {BaseUrl}/v1/chat/completions</c>. The key travels in the Authorization header of the named client
/// <see cref="ClientName"/>, set up at registration.
/// </summary>
public sealed class OpenAiCompatibleChatClient(IHttpClientFactory clients, IOptions<LlmOptions> options)
    : WholeAnswerChatClient(new ChatClientMetadata(LlmOptions.OpenAi, options.Value.BaseUrl, options.Value.Model))
{
    public const string ClientName = "llm";
    private readonly Uri _endpoint = new($"{options.Value.BaseUrl!.ToString().TrimEnd('/')}/v1/chat/completions");

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        CancellationToken cancellationToken = default)
    {
        using var http = clients.CreateClient(ClientName);
        using var response = await http.PostAsJsonAsync(_endpoint, new
        {
            model = chatOptions?.ModelId ?? options.Value.Model,
            messages = messages.Select(m => new { role = m.Role.Value, content = m.Text }),
            max_tokens = chatOptions?.MaxOutputTokens,
        }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var usage = body.GetProperty("usage");
        return new ChatResponse(new ChatMessage(ChatRole.Assistant,
            body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? ""))
        {
            ModelId = body.TryGetProperty("model", out var model) ? model.GetString() : null,
            Usage = new UsageDetails
            {
                InputTokenCount = usage.GetProperty("prompt_tokens").GetInt64(),
                OutputTokenCount = usage.GetProperty("completion_tokens").GetInt64(),
            },
        };
    }
}
