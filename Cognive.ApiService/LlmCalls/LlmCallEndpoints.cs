using System.Security.Claims;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Governance;
using Cognive.ApiService.Validation;
using Cognive.ApiService.Runs;
using Cognive.Governance;
using Cognive.Governance.Budgets;
using Cognive.Governance.Policies;
using Cognive.Ingestion;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.ApiService.LlmCalls;

/// <summary>
/// Ingestion: calls are validated here, published durably, and answered 202; the workers store and price them.
/// A call for a run that has ended is refused (409): a run's totals are final once it ends, apart from calls
/// accepted before the end that are still on their way.
/// </summary>
public static class LlmCallEndpoints
{
    private const int RetryAfterSeconds = 5;
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static RouteGroupBuilder MapLlmCallEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/runs/{runId:guid}/llm-calls", RecordAsync).WithTags("LLM calls").RequirePermission(Permissions.TelemetryWrite);
        api.MapPost("/llm-calls/batch", RecordBatchAsync).WithTags("LLM calls").RequirePermission(Permissions.TelemetryWrite);
        api.MapGet("/runs/{runId:guid}/llm-calls", ListAsync).WithTags("LLM calls").RequirePermission(Permissions.AgentRead);
        return api;
    }

    /// <summary>
    /// A call that broke a policy or a hard budget is still stored (it happened; its spend is real), flagged, and
    /// answered 403 or 429 so the agent stops.
    /// </summary>
    private static async Task<Results<Accepted<AcceptedCall>, ValidationProblem, NotFound, ProblemHttpResult>> RecordAsync(
        Guid runId, LlmCallRequest request, ClaimsPrincipal user, RunDirectory runs, PublishCoalescer publisher, SpendGate gate,
        TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (LlmCallRules.Validate(request, now) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var run = await runs.FindAsync(teamId, runId, ct);
        if (run is null)
        {
            return TypedResults.NotFound();
        }

        if (run.Ended)
        {
            return RunRules.EndedProblem("This run has ended; it takes no more calls.");
        }

        var call = ToEvent(request, teamId, runId, run.AgentId, now);
        var verdict = await gate.ReportAsync(teamId, run.AgentId, call.Provider, call.Model, call.InputTokens + call.OutputTokens, ct);
        call = call with { Flag = verdict.Flag };
        if (await PublishAsync(publisher.PublishAsync(call), http) is { } unavailable)
        {
            return unavailable;
        }

        var recorded = new Dictionary<string, object?> { ["event_id"] = call.EventId, ["recorded"] = true };
        return verdict switch
        {
            { Violation: { } violation } => GovernanceProblems.PolicyViolated(violation, recorded),
            { OverBudget: { } budget } => GovernanceProblems.OverBudget(budget, now, http,
                $"Budget '{budget.Budget.Name}' is spent; the call was recorded and flagged. Stop calling until it resets.", recorded),
            _ => TypedResults.Accepted((string?)null, new AcceptedCall(call.EventId)),
        };
    }

    /// <summary>
    /// Up to 1,000 calls of any of the team's open runs: each item is accepted or rejected on its own. Accepted items
    /// that broke a policy or a hard budget are stored flagged; the answer is then 403 (a policy) or 429 (a budget),
    /// with every item's result.
    /// </summary>
    private static async Task<Results<Accepted<BatchResult>, ValidationProblem, ProblemHttpResult>> RecordBatchAsync(
        LlmCallBatchRequest request, ClaimsPrincipal user, RunDirectory runs, TelemetryPublisher publisher, SpendGate gate,
        TimeProvider time, HttpContext http, CancellationToken ct)
    {
        if (request.Events is not { Count: > 0 and <= LlmCallRules.MaxBatchSize } items)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["events"] = [$"events holds 1 to {LlmCallRules.MaxBatchSize} calls."],
            });
        }

        var now = time.GetUtcNow();
        var teamId = CogniveClaims.TeamIdOf(user);
        var owners = new Dictionary<Guid, RunOwner?>();
        var exhaustedByAgent = new Dictionary<Guid, BudgetState?>();
        PolicyViolation? firstViolation = null;
        BudgetState? firstOverBudget = null;
        var accepted = new List<LlmCallEvent>(items.Count);
        var results = new List<BatchItemResult>(items.Count);
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            var errors = LlmCallRules.Validate(item, now) ?? new Dictionary<string, string[]>();
            RunOwner? run = null;
            if (item.RunId is not { } runId)
            {
                errors["run_id"] = ["run_id is required."];
            }
            else
            {
                if (!owners.TryGetValue(runId, out run))
                {
                    owners[runId] = run = await runs.FindAsync(teamId, runId, ct);
                }

                if (run is null)
                {
                    errors["run_id"] = ["No such run."];
                }
                else if (run.Ended)
                {
                    errors["run_id"] = ["This run has ended."];
                }
            }

            if (errors.Count > 0)
            {
                results.Add(new BatchItemResult(index, item.EventId, "rejected", errors));
                continue;
            }

            var call = ToEvent(item, teamId, item.RunId!.Value, run!.AgentId, now);
            var verdict = await gate.ReportAsync(teamId, run.AgentId, call.Provider, call.Model, call.InputTokens + call.OutputTokens, ct,
                exhaustedByAgent);
            firstViolation ??= verdict.Violation;
            firstOverBudget ??= verdict.OverBudget;
            accepted.Add(call with { Flag = verdict.Flag });
            results.Add(new BatchItemResult(index, call.EventId, "accepted", null, verdict.Flag));
        }

        if (accepted.Count == 0)
        {
            return TypedResults.ValidationProblem(results
                .SelectMany(r => r.Errors!.Select(e => (Key: $"events[{r.Index}].{e.Key}", e.Value)))
                .ToDictionary(e => e.Key, e => e.Value), title: "No call in the batch was valid");
        }

        if (await PublishAsync(publisher.PublishAsync(new LlmCallMessage(accepted), ct), http) is { } unavailable)
        {
            return unavailable;
        }

        var result = new BatchResult(accepted.Count, items.Count - accepted.Count, results);
        var extra = new Dictionary<string, object?> { ["accepted"] = result.Accepted, ["rejected"] = result.Rejected, ["results"] = results };
        if (firstViolation is { } violation)
        {
            return GovernanceProblems.PolicyViolated(violation, extra);
        }

        return firstOverBudget is { } budget
            ? GovernanceProblems.OverBudget(budget, now, http,
                $"Budget '{budget.Budget.Name}' is spent; the batch was recorded and its calls over budget flagged.", extra)
            : TypedResults.Accepted((string?)null, result);
    }

    private static async Task<Results<Ok<StoredCallPage>, ValidationProblem, NotFound>> ListAsync(Guid runId, string? cursor,
        int? limit, ClaimsPrincipal user, RunDirectory runs, CallStore calls, CancellationToken ct)
    {
        if (FieldRules.PageLimit(limit, MaxPageSize) is { } limitErrors)
        {
            return TypedResults.ValidationProblem(limitErrors);
        }

        CallCursor? after = null;
        if (cursor is not null && (after = CallCursor.Parse(cursor)) is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["cursor is not one this API gave."] });
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        if (await runs.FindAsync(teamId, runId, ct) is null)
        {
            return TypedResults.NotFound();
        }

        var size = limit ?? DefaultPageSize;
        var page = await calls.ListAsync(teamId, runId, after, size + 1, ct);
        var items = page.Take(size).ToList();
        var next = page.Count > size ? new CallCursor(items[^1].OccurredAt, items[^1].EventId).ToString() : null;
        return TypedResults.Ok(new StoredCallPage(items, next));
    }

    private static LlmCallEvent ToEvent(LlmCallRequest request, Guid teamId, Guid runId, Guid agentId, DateTimeOffset now) => new(
        EventId: request.EventId ?? Guid.CreateVersion7(now),
        TeamId: teamId,
        RunId: runId,
        AgentId: agentId,
        // Prices are looked up by provider and model: one spelling for each, whatever case the agent reports.
        Provider: request.Provider!.Trim().ToLowerInvariant(),
        Model: request.Model!.Trim().ToLowerInvariant(),
        InputTokens: request.InputTokens!.Value,
        OutputTokens: request.OutputTokens!.Value,
        CachedInputTokens: request.CachedInputTokens ?? 0,
        LatencyMs: request.LatencyMs!.Value,
        Status: request.Status!,
        OccurredAt: (request.OccurredAt ?? now).ToUniversalTime(),
        ReceivedAt: now,
        Metadata: request.Metadata is { ValueKind: System.Text.Json.JsonValueKind.Object } metadata ? metadata : null,
        ReservationId: request.ReservationId);

    /// <summary>Null once RabbitMQ confirmed; otherwise the 503 to answer.</summary>
    private static async Task<ProblemHttpResult?> PublishAsync(Task published, HttpContext http)
    {
        try
        {
            await published;
            return null;
        }
        catch (IngestionUnavailableException)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
            return TypedResults.Problem(type: "https://cognive.dev/problems/ingestion-unavailable", title: "Ingestion unavailable",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                detail: $"The event queue is unavailable; nothing was accepted. Retry after {RetryAfterSeconds} seconds.");
        }
    }
}
