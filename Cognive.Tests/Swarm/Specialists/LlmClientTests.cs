using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Agents.Llm;
using Cognive.Agents.Swarm;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cognive.Tests.Swarm.Specialists;

/// <summary>The local provider, and the client that puts every model call under the control plane's budget and telemetry.</summary>
public sealed class LlmClientTests
{
    private static readonly LlmRequest Prompt = LlmRequest.FromPrompt("Summarise.", "2 finding(s):\n- a spike\n- an error rate\n- more", 200);

    [Fact]
    public async Task The_local_provider_answers_the_same_prompt_with_the_same_text_and_token_counts()
    {
        var provider = new LocalDeterministicProvider();

        var first = await provider.CompleteAsync(Prompt, TestContext.Current.CancellationToken);
        var second = await provider.CompleteAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal(first, second);
        Assert.Equal("2 finding(s): - a spike - an error rate", first.Text);
        Assert.Equal(new LlmUsage("local", "cognive-local-1", 3 + 12, 10, 0), first.Usage);
        var cut = await provider.CompleteAsync(Prompt with { MaxTokens = 2 }, TestContext.Current.CancellationToken);
        Assert.Equal("2 findin", cut.Text);
    }

    [Fact]
    public async Task An_allowed_call_is_checked_first_then_reported_to_the_run_with_its_reservation()
    {
        var reservation = Guid.NewGuid();
        var api = new FakeApi(HttpStatusCode.OK, new { allowed = true, reservation_id = reservation, estimated_cost_usd = 0 });
        var context = new TaskContext(api.Client, api.Client, Guid.NewGuid(), Guid.NewGuid());

        var answer = await Client().CompleteAsync(Prompt, context, TestContext.Current.CancellationToken);

        Assert.Equal(["/api/v1/budgets/check", $"/api/v1/runs/{context.RunId}/llm-calls"], api.Requests.Select(r => r.Path));
        var check = api.Requests[0].Body;
        Assert.Equal((context.AgentId, "local", "cognive-local-1", 0m), (check.GetProperty("agent_id").GetGuid(),
            check.GetProperty("provider").GetString(), check.GetProperty("model").GetString(), check.GetProperty("estimated_cost_usd").GetDecimal()));
        var report = api.Requests[1].Body;
        Assert.Equal((reservation, "local", "cognive-local-1", answer.Usage.InputTokens, answer.Usage.OutputTokens, "success"),
            (report.GetProperty("reservation_id").GetGuid(), report.GetProperty("provider").GetString(), report.GetProperty("model").GetString(),
                report.GetProperty("input_tokens").GetInt64(), report.GetProperty("output_tokens").GetInt64(), report.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Over_budget_the_model_is_not_called_and_the_task_fails_saying_so()
    {
        var api = new FakeApi(HttpStatusCode.TooManyRequests, new { title = "Budget exceeded", allowed = false, detail = "Budget 'swarm daily' has no room for 0 USD." });
        var provider = new CountingProvider();
        var client = new LlmClient(provider, TimeProvider.System, NullLogger<LlmClient>.Instance);

        var refused = await Assert.ThrowsAsync<LlmRefusedException>(() =>
            client.CompleteAsync(Prompt, new TaskContext(api.Client, api.Client, Guid.NewGuid(), Guid.NewGuid()), TestContext.Current.CancellationToken));

        Assert.Equal("The control plane refused the LLM call (Budget exceeded); the model was not called. Budget 'swarm daily' has no room for 0 USD.",
            refused.Message);
        Assert.Equal(0, provider.Calls);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task The_openai_compatible_provider_posts_chat_completions_and_reads_the_usage()
    {
        var server = new FakeCompletions();
        var options = Options.Create(new LlmOptions { Provider = "openai", BaseUrl = new Uri("http://models.local/proxy/"), Model = "gpt-4o-mini" });
        var provider = new OpenAiCompatibleProvider(server, options, TimeProvider.System);

        var answer = await provider.CompleteAsync(Prompt, TestContext.Current.CancellationToken);

        Assert.Equal("http://models.local/proxy/v1/chat/completions", server.Uri?.ToString());
        Assert.Equal(("gpt-4o-mini", 200, "user"), (server.Body.GetProperty("model").GetString(), server.Body.GetProperty("max_tokens").GetInt32(),
            server.Body.GetProperty("messages")[1].GetProperty("role").GetString()));
        Assert.Equal(("A spike.", "openai", "gpt-4o-mini", 42L, 7L), (answer.Text, answer.Usage.Provider, answer.Usage.Model,
            answer.Usage.InputTokens, answer.Usage.OutputTokens));
    }

    private static LlmClient Client() => new(new LocalDeterministicProvider(), TimeProvider.System, NullLogger<LlmClient>.Instance);

    /// <summary>The API as the agent sees it: the budget check answers as told, reported calls are accepted.</summary>
    private sealed class FakeApi(HttpStatusCode checkStatus, object checkAnswer) : HttpMessageHandler
    {
        public List<(string Path, JsonElement Body)> Requests { get; } = [];

        public HttpClient Client => new(this) { BaseAddress = new Uri("http://api") };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var path = request.RequestUri!.AbsolutePath;
            Requests.Add((path, JsonDocument.Parse(await request.Content!.ReadAsStringAsync(ct)).RootElement.Clone()));
            return path == "/api/v1/budgets/check"
                ? new HttpResponseMessage(checkStatus) { Content = JsonContent.Create(checkAnswer) }
                : new HttpResponseMessage(HttpStatusCode.Accepted) { Content = JsonContent.Create(new { status = "accepted" }) };
        }
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

    private sealed class CountingProvider : ILlmProvider
    {
        public int Calls { get; private set; }

        public string Name => "counting";

        public bool Metered => true;

        public string Model => "m";

        public Task<LlmResponse> CompleteAsync(LlmRequest request, CancellationToken ct)
        {
            Calls++;
            return Task.FromResult(new LlmResponse("", new LlmUsage(Name, Model, 0, 0, 0)));
        }
    }
}
