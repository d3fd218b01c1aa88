using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Cognive.Agents.Llm;

/// <summary>
/// A model that answers whole: streaming yields the whole answer as updates (the specialists' summaries are short), and
/// the client describes itself with its <see cref="ChatClientMetadata"/> (what <c>UseCognive</c> reports as provider and model).
/// </summary>
public abstract class WholeAnswerChatClient(ChatClientMetadata metadata) : IChatClient
{
    public abstract Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? metadata :
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // Holds nothing of its own (HTTP clients belong to the factory).
    }
}
