using Microsoft.Extensions.AI;

namespace Cognive.Client.Chat;

/// <summary>
/// Tokens guessed from text (one per four characters, the usual rule for English) for the budget check, and for the
/// report when the model gives no usage.
/// </summary>
public static class TokenEstimate
{
    /// <summary>The tokens in a text.</summary>
    public static long Of(int characters) => (characters + 3) / 4;

    /// <summary>The tokens in the text of the messages.</summary>
    public static long Of(IEnumerable<ChatMessage> messages)
    {
        long tokens = 0;
        foreach (var message in messages)
        {
            var contents = message.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is TextContent { Text: { } text })
                {
                    tokens += Of(text.Length);
                }
            }
        }

        return tokens;
    }
}
