using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Cognive.Tests.Sdk;

/// <summary>
/// The model in the SDK tests: answers at once with fixed usage (cached input included), counts its calls, and streams
/// two text updates then the usage; <see cref="HangAfterFirstUpdate"/> makes a stream stall until it is cancelled.
/// </summary>
public sealed class StandInModel(string provider = "openai", string model = "gpt-4o-mini") : IChatClient
{
    public const string FirstUpdate = "Hello, ";
    private readonly ChatClientMetadata _metadata = new(provider, defaultModelId: model);
    private int _calls;

    public UsageDetails Usage { get; } = new() { InputTokenCount = 1000, OutputTokenCount = 200, CachedInputTokenCount = 400 };

    public bool HangAfterFirstUpdate { get; init; }

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = model, Usage = Usage });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        yield return new ChatResponseUpdate(ChatRole.Assistant, FirstUpdate) { ModelId = model };
        if (HangAfterFirstUpdate)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, "world.") { ModelId = model };
        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, Contents = [new UsageContent(Usage)], ModelId = model };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? _metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // Holds nothing.
    }
}
