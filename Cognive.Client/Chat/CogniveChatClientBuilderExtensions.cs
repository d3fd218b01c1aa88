using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Client.Chat;

/// <summary><c>chatClient.AsBuilder().UseCognive()</c>: the chat client's calls checked and reported by Cognive.</summary>
public static class CogniveChatClientBuilderExtensions
{
    /// <summary>Adds <see cref="CogniveChatClient"/>, with the <see cref="CogniveClient"/> registered by <c>AddCogniveClient</c>.</summary>
    public static ChatClientBuilder UseCognive(this ChatClientBuilder builder, Action<CogniveChatOptions>? configure = null) =>
        builder.Use((inner, services) => new CogniveChatClient(inner, services.GetRequiredService<CogniveClient>(), Options(configure)));

    /// <summary>Adds <see cref="CogniveChatClient"/> with the given client.</summary>
    public static ChatClientBuilder UseCognive(this ChatClientBuilder builder, CogniveClient cognive, Action<CogniveChatOptions>? configure = null) =>
        builder.Use(inner => new CogniveChatClient(inner, cognive, Options(configure)));

    private static CogniveChatOptions Options(Action<CogniveChatOptions>? configure)
    {
        var options = new CogniveChatOptions();
        configure?.Invoke(options);
        return options;
    }
}
