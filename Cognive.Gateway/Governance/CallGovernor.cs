using Cognive.Gateway.OpenAi;
using Cognive.Governance;

namespace Cognive.Gateway.Governance;

/// <summary>
/// The budget and policy check of a gateway call, in this process: the same <see cref="SpendGate"/> the API's budget check
/// runs (policies, then a reservation on every hard budget), over the same PostgreSQL and Redis, with no round trip to the
/// API. Refusals answer in OpenAI's format: budgets 429 (with when to retry), policies 403.
/// </summary>
public sealed class CallGovernor(SpendGate gate, AgentOwners agents, TimeProvider time)
{
    /// <summary>
    /// The allowed call's verdict (its reservation, if any); null once a refusal has been written. An unpriced model
    /// reserves nothing (policies still apply). The call counts for calls-per-minute rules.
    /// </summary>
    public async Task<CheckVerdict?> CheckAsync(HttpContext http, Guid teamId, Guid agentId, string provider, string model,
        long inputTokens, long maxOutputTokens)
    {
        if (!CallCheck.IsTokenCount(inputTokens) || !CallCheck.IsTokenCount(maxOutputTokens))
        {
            await OpenAiErrors.InvalidRequestAsync(http, $"max_tokens and the input are 0 to {CallCheck.MaxTokens:N0} tokens.", "invalid_request");
            return null;
        }

        CheckVerdict verdict;
        try
        {
            if (!await agents.BelongsToAsync(teamId, agentId, http.RequestAborted))
            {
                await OpenAiErrors.InvalidRequestAsync(http, $"{GatewayCalls.AgentHeader} names no agent of this team.", "agent_not_found",
                    StatusCodes.Status404NotFound);
                return null;
            }

            var check = new CallCheck(teamId, agentId, provider, model, inputTokens, maxOutputTokens, null, CountCall: true);
            verdict = await gate.CheckAsync(check, http.RequestAborted) ??
                (await gate.CheckAsync(check with { EstimatedCostUsd = 0m }, http.RequestAborted))!;
        }
        catch (Exception e) when (GovernanceFaults.IsUnavailable(e))
        {
            await OpenAiErrors.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, GovernanceFaults.UnavailableDetail,
                "service_unavailable", "budgets_unavailable", GovernanceFaults.RetryAfter);
            return null;
        }

        switch (verdict)
        {
            case { Violation: not null }:
                await OpenAiErrors.WriteAsync(http, StatusCodes.Status403Forbidden, verdict.Refusal!, "permission_error", "policy_violation");
                return null;
            case { OverBudget: { } budget }:
                await OpenAiErrors.WriteAsync(http, StatusCodes.Status429TooManyRequests, verdict.Refusal!, "insufficient_quota", "budget_exceeded",
                    budget.RetryAfter(time.GetUtcNow(), verdict.HeldOnly));
                return null;
            default:
                return verdict;
        }
    }
}
