using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Cognive.Agents.Llm;

/// <summary>
/// Any server that speaks OpenAI's chat completions API (OpenAI itself, Azure's compatible endpoint, vLLM, Ollama…):
/// <c>POST {BaseUrl}/v1/chat/completions</c>. The key travels in the Authorization header of the named client
/// <see cref="ClientName"/>, set up at registration.
/// </summary>
public sealed class OpenAiCompatibleProvider(IHttpClientFactory clients, IOptions<LlmOptions> options, TimeProvider time) : ILlmProvider
{
    public const string ClientName = "llm";
    private readonly Uri _endpoint = new($"{options.Value.BaseUrl!.ToString().TrimEnd('/')}/v1/chat/completions");

    public string Name => LlmOptions.OpenAi;

    public bool Metered => true;

    public string Model => options.Value.Model;

    public async Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct)
    {
        var model = request.Model ?? Model;
        var started = time.GetTimestamp();
        using var http = clients.CreateClient(ClientName);
        using var response = await http.PostAsJsonAsync(_endpoint, new
        {
            model,
            messages = request.Messages.Select(m => new { role = m.Role, content = m.Content }),
            max_tokens = request.MaxTokens,
        }, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var latency = (int)time.GetElapsedTime(started).TotalMilliseconds;
        var usage = body.GetProperty("usage");
        return new LlmResponse(
            body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "",
            // Reported under the model asked for, not the dated name the server answers with: that is the name priced.
            new LlmUsage(Name, model, usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64(), latency));
    }
}
