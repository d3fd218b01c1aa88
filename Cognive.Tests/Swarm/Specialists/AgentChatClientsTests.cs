using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Agents.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Cognive.Tests.Swarm.Specialists;

/// <summary>The agents' models: the local stand-in, and any OpenAI-compatible server (budget and reporting are Cognive.Client's, tested in Sdk/).</summary>
public sealed class AgentChatClientsTests
{
    private static readonly ChatMessage[] Prompt =
        [new(ChatRole.System, "Summarise."), new(ChatRole.User, "2 finding(s):\n- a spike\n- an error rate\n- more")];

    [Fact]
    public async Task The_local_model_answers_the_same_prompt_with_the_same_text_and_token_counts()
    {
        using var local = new LocalDeterministicChatClient();
        var options = new ChatOptions { MaxOutputTokens = 200 };

        var first = await local.GetResponseAsync(Prompt, options, TestContext.Current.CancellationToken);
        var second = await local.GetResponseAsync(Prompt, options, TestContext.Current.CancellationToken);

        Assert.Equal(first.Text, second.Text);
        Assert.Equal("2 finding(s): - a spike - an error rate", first.Text);
        Assert.Equal(("cognive-local-1", 3L + 12, 10L), (first.ModelId, first.Usage!.InputTokenCount, first.Usage.OutputTokenCount));
        Assert.Equal(("local", "cognive-local-1"), (local.GetService<ChatClientMetadata>()!.ProviderName, local.GetService<ChatClientMetadata>()!.DefaultModelId));
        var cut = await local.GetResponseAsync(Prompt, new ChatOptions { MaxOutputTokens = 2 }, TestContext.Current.CancellationToken);
        Assert.Equal("2 findin", cut.Text);
    }

    [Fact]
    public async Task The_openai_compatible_model_posts_chat_completions_and_reads_the_usage()
    {
        var server = new FakeCompletions();
        var options = Options.Create(new LlmOptions { Provider = "openai", BaseUrl = new Uri("http://models.local/proxy/"), Model = "gpt-4o-mini" });
        using var model = new OpenAiCompatibleChatClient(server, options);

        var answer = await model.GetResponseAsync(Prompt, new ChatOptions { MaxOutputTokens = 200 }, TestContext.Current.CancellationToken);

        Assert.Equal("http://models.local/proxy/v1/chat/completions", server.Uri?.ToString());
        Assert.Equal(("gpt-4o-mini", 200, "user"), (server.Body.GetProperty("model").GetString(), server.Body.GetProperty("max_tokens").GetInt32(),
            server.Body.GetProperty("messages")[1].GetProperty("role").GetString()));
        Assert.Equal(("A spike.", 42L, 7L), (answer.Text, answer.Usage!.InputTokenCount, answer.Usage.OutputTokenCount));
        Assert.Equal(("openai", "gpt-4o-mini"), (model.GetService<ChatClientMetadata>()!.ProviderName, model.GetService<ChatClientMetadata>()!.DefaultModelId));
    }

    /// <summary>A chat completions server that answers with a dated model name, as OpenAI does.</summary>
    private sealed class FakeCompletions : HttpMessageHandler, IHttpClientFactory
    {
        public Uri? Uri { get; private set; }

        public JsonElement Body { get; private set; }

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            (Uri, Body) = (request.RequestUri, JsonDocument.Parse(await request.Content!.ReadAsStringAsync(ct)).RootElement.Clone());
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = JsonContent.Create(new
                {
                    model = "gpt-4o-mini-2024-07-18", choices = new[] { new { message = new { role = "assistant", content = "A spike." } } },
                    usage = new { prompt_tokens = 42, completion_tokens = 7 },
                }),
            };
        }
    }
}
