using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Llm;

/// <summary>
/// How a task calls a model: as any agent must. It asks the control plane's budget check first (a refusal means no
/// call), calls the provider, and reports the call as an LLM call of the task's run with the check's reservation, so
/// the hold is settled and the call is priced, counted and held against the swarm's policies.
/// </summary>
public sealed class LlmClient(ILlmProvider provider, TimeProvider time, ILogger<LlmClient> logger)
{
    public async Task<LlmResponse> CompleteAsync(LlmRequest request, TaskContext context, CancellationToken ct)
    {
        request = request with { Model = request.Model ?? provider.Model };
        var reservation = await CheckBudgetAsync(request, context, ct);
        var started = time.GetTimestamp();
        LlmResponse response;
        try
        {
            response = await provider.CompleteAsync(request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed call is still a call: it counts in the provider's error rate and settles the hold.
            var failed = new LlmUsage(provider.Name, request.Model!, TokenCount.Of(request.Messages), 0,
                (int)time.GetElapsedTime(started).TotalMilliseconds);
            await ReportAsync(failed, "error", reservation, context, ct);
            throw;
        }

        await ReportAsync(response.Usage, "success", reservation, context, ct);
        return response;
    }

    /// <returns>The reservation to settle; null when no hard budget applies.</returns>
    private async Task<Guid?> CheckBudgetAsync(LlmRequest request, TaskContext context, CancellationToken ct)
    {
        var input = TokenCount.Of(request.Messages);
        var check = new
        {
            agent_id = context.AgentId, provider = provider.Name, model = request.Model, input_tokens = input,
            max_output_tokens = request.MaxTokens,
            // Without an estimate the API prices the tokens from its table; an unmetered model has no price there.
            estimated_cost_usd = provider.Metered ? (decimal?)null : 0m,
        };
        using var answer = await context.Api.PostAsJsonAsync("/api/v1/budgets/check", check, ct);
        // 429: a hard budget has no room (or the key's rate is spent); 403: a policy forbids the call. The problem says which.
        if (answer.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Forbidden)
        {
            var problem = await answer.Content.ReadFromJsonAsync<JsonElement>(ct);
            throw new LlmRefusedException($"The control plane refused the LLM call ({Text(problem, "title")}); the model was not called. " +
                Text(problem, "detail"));
        }

        answer.EnsureSuccessStatusCode();
        var allowed = await answer.Content.ReadFromJsonAsync<JsonElement>(ct);
        return allowed.GetProperty("reservation_id") is { ValueKind: JsonValueKind.String } id ? id.GetGuid() : null;
    }

    private static string? Text(JsonElement problem, string field) =>
        problem.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task ReportAsync(LlmUsage usage, string status, Guid? reservation, TaskContext context, CancellationToken ct)
    {
        using var answer = await context.Api.PostAsJsonAsync($"/api/v1/runs/{context.RunId}/llm-calls", new
        {
            // Our own event id: the resilience handler's retries of this post are then stored once.
            event_id = Guid.CreateVersion7(), provider = usage.Provider, model = usage.Model, input_tokens = usage.InputTokens,
            output_tokens = usage.OutputTokens, latency_ms = usage.LatencyMs, status, reservation_id = reservation,
        }, ct);
        if (answer.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Forbidden)
        {
            // Recorded and flagged (over budget or against a policy since the check): the call happened, its answer stands.
            logger.LogWarning("The LLM call of run {RunId} was recorded flagged ({Status})", context.RunId, (int)answer.StatusCode);
            return;
        }

        answer.EnsureSuccessStatusCode();
    }
}

/// <summary>The control plane refused the call (budget or policy): the task cannot do its work now.</summary>
public sealed class LlmRefusedException(string message) : Exception(message);
