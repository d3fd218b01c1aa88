using System.Diagnostics;
using System.Text.Json;
using Cognive.Credentials;
using Cognive.Gateway.Calls;
using Cognive.Gateway.Governance;
using Cognive.Gateway.Providers;
using Cognive.Ingestion;
using Microsoft.Extensions.Options;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// One governed call: attribute it (agent, run), resolve its connection, hold it against the agent's policies and
/// budgets (<see cref="CallGovernor"/>), forward it, and record it once the answer is out. Refusals answer in OpenAI's error format.
/// </summary>
public sealed class GatewayCalls(ConnectionDirectory connections, CogniveApi api, CallGovernor governor, DailyRuns dailyRuns,
    Forwarder forwarder, CallRecorder recorder, CallPrices prices, IOptions<GatewayOptions> options, TimeProvider time)
{
    public const string AgentHeader = "Cognive-Agent-Id";
    public const string RunHeader = "Cognive-Run-Id";
    public const string EventHeader = "Cognive-Event-Id";
    private const int MaxModelLength = 200;

    public async Task HandleAsync(HttpContext http, Operation operation)
    {
        try
        {
            await GovernAndForwardAsync(http, operation);
        }
        catch (HttpRequestException e) when (!http.Response.HasStarted)
        {
            await OpenAiErrors.WriteAsync(http, StatusCodes.Status502BadGateway, $"The Cognive API could not be asked: {e.Message}",
                "api_error", "governance_unavailable", TimeSpan.FromSeconds(5));
        }
    }

    private async Task GovernAndForwardAsync(HttpContext http, Operation operation)
    {
        var receivedAt = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var ct = http.RequestAborted;
        var teamId = Callers.TeamIdOf(http.User);
        using var body = await RequestBody.ReadAsync(http.Request, options.Value.MaxRequestBytes, ct);
        if (body is null)
        {
            await OpenAiErrors.InvalidRequestAsync(http, $"The request body is over {options.Value.MaxRequestBytes} bytes.",
                "request_too_large", StatusCodes.Status413PayloadTooLarge);
            return;
        }

        var request = OpenAiRequest.Parse(body.GetBuffer().AsSpan(0, (int)body.Length), out var invalid);
        if (request is null || request.Model.Length > MaxModelLength)
        {
            await OpenAiErrors.InvalidRequestAsync(http, invalid ?? $"model has at most {MaxModelLength} characters.", "invalid_request");
            return;
        }

        if (await AttributeAsync(http, teamId) is not var (agentId, runId))
        {
            return;
        }

        if (await connections.ResolveAsync(teamId, request.Model, ct) is not var (connection, model))
        {
            await OpenAiErrors.InvalidRequestAsync(http, $"No provider connection serves '{request.Model}': name one (<connection>/<model>) " +
                "or make one the team's default (POST /api/v1/providers).", "model_not_found", StatusCodes.Status404NotFound);
            return;
        }

        var priced = model.ToLowerInvariant();
        var allowed = await governor.CheckAsync(http, teamId, agentId, connection.Provider, priced,
            operation == Operation.Chat ? request.EstimateChatInputTokens() : request.EstimateEmbeddingInputTokens(),
            operation == Operation.Chat ? request.MaxOutputTokens(options.Value.DefaultMaxOutputTokens) : 0);
        if (allowed is null)
        {
            return;
        }

        runId ??= await dailyRuns.OfTodayAsync(teamId, agentId, ct);
        if (runId is null)
        {
            await OpenAiErrors.InvalidRequestAsync(http, $"{AgentHeader} names no active agent of this team.", "agent_not_found",
                StatusCodes.Status404NotFound);
            return;
        }

        var eventId = Guid.CreateVersion7(receivedAt);
        http.Response.Headers[EventHeader] = eventId.ToString();
        var settlement = new CallSettlement(outcome => recorder.RecordAsync(new LlmCallEvent(eventId, teamId, runId.Value, agentId,
            connection.Provider, priced, outcome.Usage?.InputTokens ?? 0, outcome.Usage?.OutputTokens ?? 0,
            outcome.Usage?.CachedInputTokens ?? 0, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            outcome.Succeeded ? "success" : "error", receivedAt, time.GetUtcNow(), Metadata(operation, connection, request, outcome),
            ReservationId: allowed.ReservationId), CancellationToken.None), await prices.FindAsync(connection.Provider, priced, ct));
        var forwarded = await forwarder.ForwardAsync(http, connection, operation == Operation.Chat ? "chat/completions" : "embeddings",
            request.UpstreamBody(model), request.Stream, request.Stream && !request.ClientWantsStreamUsage, settlement);
        await settlement.SettleAsync(forwarded);
    }

    private static JsonElement Metadata(Operation operation, Connection connection, OpenAiRequest request, Outcome outcome) =>
        JsonSerializer.SerializeToElement(new CallMetadata("gateway", connection.Name, operation.ToString().ToLowerInvariant(),
            request.Stream, outcome.FirstChunk is { } first ? (int)first.TotalMilliseconds : null, outcome.UpstreamStatus, outcome.Error),
            GatewayJson.Default.CallMetadata);

    /// <summary>
    /// The agent and run a call belongs to: <c>Cognive-Run-Id</c> names a running run of the team (its agent is the call's);
    /// otherwise <c>Cognive-Agent-Id</c> names the agent, and the call goes to the agent's gateway run of the day.
    /// Null once a refusal has been written.
    /// </summary>
    private async Task<(Guid AgentId, Guid? RunId)?> AttributeAsync(HttpContext http, Guid teamId)
    {
        if (!TryHeader(http, AgentHeader, out var agentId) || !TryHeader(http, RunHeader, out var runId))
        {
            await OpenAiErrors.InvalidRequestAsync(http, $"{AgentHeader} and {RunHeader} are UUIDs.", "invalid_header");
            return null;
        }

        if (runId is { } id)
        {
            var run = await api.FindRunAsync(http.Request, teamId, id, http.RequestAborted);
            if (run is null)
            {
                await OpenAiErrors.InvalidRequestAsync(http, $"{RunHeader} names no run of this team.", "run_not_found", StatusCodes.Status404NotFound);
                return null;
            }

            if (run.Status != "running")
            {
                await OpenAiErrors.InvalidRequestAsync(http, "This run has ended; it takes no more calls.", "run_ended", StatusCodes.Status409Conflict);
                return null;
            }

            if (agentId is { } named && named != run.AgentId)
            {
                await OpenAiErrors.InvalidRequestAsync(http, $"The run belongs to another agent than {AgentHeader} names.", "agent_mismatch");
                return null;
            }

            return (run.AgentId, id);
        }

        if (agentId is null)
        {
            await OpenAiErrors.InvalidRequestAsync(http, $"Name the calling agent in the {AgentHeader} header (or a run in {RunHeader}).",
                "agent_required");
            return null;
        }

        return (agentId.Value, null);
    }

    private static bool TryHeader(HttpContext http, string name, out Guid? value)
    {
        value = null;
        if (!http.Request.Headers.TryGetValue(name, out var text))
        {
            return true;
        }

        if (!Guid.TryParse(text.ToString(), out var id))
        {
            return false;
        }

        value = id;
        return true;
    }
}

public enum Operation
{
    Chat,
    Embeddings,
}

/// <summary>What a gateway call's metadata records beside its tokens.</summary>
public sealed record CallMetadata(string Source, string Connection, string Operation, bool Stream, int? TimeToFirstTokenMs,
    int? UpstreamStatus, string? Error);
