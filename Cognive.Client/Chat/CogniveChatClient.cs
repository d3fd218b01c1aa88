using System.Runtime.CompilerServices;
using System.Text.Json;
using Cognive.Client.Api;
using Cognive.Client.Runs;
using Microsoft.Extensions.AI;

namespace Cognive.Client.Chat;

/// <summary>
/// Puts a chat client's calls under Cognive, within the ambient <see cref="CogniveRun"/>: a budget check before each call
/// (a refusal throws before the inner client is called), then a report of the call (provider, model, tokens with cached
/// input, latency, status, the check's reservation, a client-minted event id) queued for the background sender.
/// Outside a run, calls pass through unchecked and unreported.
/// </summary>
public sealed class CogniveChatClient : DelegatingChatClient
{
    private static readonly JsonElement Incomplete = JsonDocument.Parse("""{"incomplete":true}""").RootElement;

    private readonly CogniveClient _cognive;
    private readonly CogniveChatOptions _options;
    private readonly string _provider;
    private readonly string? _defaultModel;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public CogniveChatClient(IChatClient inner, CogniveClient cognive, CogniveChatOptions options) : base(inner)
    {
        (_cognive, _options) = (cognive, options);
        var metadata = inner.GetService<ChatClientMetadata>();
        _provider = metadata?.ProviderName ?? options.DefaultProvider;
        _defaultModel = metadata?.DefaultModelId;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (CogniveRun.Current is not { } run)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }

        var model = options?.ModelId ?? _defaultModel;
        var reservation = _options.CheckBudget ? await CheckAsync(run, model, messages, options, cancellationToken) : null;
        var occurred = _cognive.Time.GetUtcNow();
        var started = _cognive.Time.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken);
        }
        catch
        {
            // A failed (or cancelled) call is still a call: it counts in error rates and settles the check's hold.
            Report(run, model, null, messages, 0, started, occurred, LlmCall.Error, reservation, null);
            throw;
        }

        Report(run, model ?? response.ModelId, response.Usage, messages, 0, started, occurred, LlmCall.Success, reservation, null);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (CogniveRun.Current is not { } run)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }

            yield break;
        }

        var model = options?.ModelId ?? _defaultModel;
        var reservation = _options.CheckBudget ? await CheckAsync(run, model, messages, options, cancellationToken) : null;
        var occurred = _cognive.Time.GetUtcNow();
        var started = _cognive.Time.GetTimestamp();
        UsageDetails? usage = null;
        var characters = 0;
        var completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                model ??= update.ModelId;
                foreach (var content in update.Contents)
                {
                    // Usage comes in the stream's final update (OpenAI's stream_options.include_usage; other providers alike).
                    if (content is UsageContent { Details: var details })
                    {
                        (usage ??= new UsageDetails()).Add(details);
                    }
                    else if (content is TextContent { Text: { } text })
                    {
                        characters += text.Length;
                    }
                }

                yield return update;
            }

            completed = true;
        }
        finally
        {
            // Ended early (cancelled, the consumer stopped, the model failed): reported with what was seen, as an error.
            Report(run, model, usage, messages, characters, started, occurred, completed ? LlmCall.Success : LlmCall.Error, reservation,
                completed ? null : Incomplete);
        }
    }

    private async Task<Guid?> CheckAsync(CogniveRun run, string? model, IEnumerable<ChatMessage> messages, ChatOptions? options,
        CancellationToken ct)
    {
        var check = new BudgetCheck(run.AgentId, _provider, model, TokenEstimate.Of(messages),
            options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens, _options.EstimatedCostUsd);
        return (await _cognive.CheckBudgetAsync(check, ct))?.ReservationId;
    }

    private void Report(CogniveRun run, string? model, UsageDetails? usage, IEnumerable<ChatMessage> messages, int outputCharacters,
        long started, DateTimeOffset occurred, string status, Guid? reservation, JsonElement? metadata)
    {
        var input = usage?.InputTokenCount ?? TokenEstimate.Of(messages);
        var cached = Math.Min(usage?.CachedInputTokenCount ?? 0, input);
        var output = usage?.OutputTokenCount ?? TokenEstimate.Of(outputCharacters);
        var latency = (int)Math.Min(int.MaxValue, _cognive.Time.GetElapsedTime(started).TotalMilliseconds);
        _cognive.Report(new LlmCall(Guid.CreateVersion7(occurred), run.RunId, _provider, model ?? "unknown", input, output, cached, latency,
            status, occurred, reservation, metadata));
    }
}
