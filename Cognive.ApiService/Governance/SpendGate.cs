using Cognive.ApiService.Budgets;
using Cognive.ApiService.Policies;
using Cognive.Data.Budgets;

namespace Cognive.ApiService.Governance;

/// <summary>
/// Holds reported LLM calls against their team's policies and hard budgets. A call has happened by the time it is
/// reported, so it is recorded whatever the verdict; the verdict flags it and tells the agent to stop (403 or 429).
/// When its rules or spend cannot be read (Redis or PostgreSQL away) the call is recorded unflagged: budget checks,
/// which come before spending, are what fail closed.
/// </summary>
public sealed class SpendGate(TeamRulesCache cache, BudgetLedger ledger, PolicyMeter meter, TimeProvider time, ILogger<SpendGate> logger)
{
    /// <param name="exhaustedByAgent">Remembers each agent's budgets across the items of one batch.</param>
    public async Task<GateVerdict> ReportAsync(Guid teamId, Guid agentId, string provider, string model, long tokens,
        CancellationToken ct, Dictionary<Guid, BudgetState?>? exhaustedByAgent = null)
    {
        try
        {
            return await JudgeAsync(teamId, agentId, provider, model, tokens, exhaustedByAgent ?? [], ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The call happened: not recording it because its rules could not be read would lose real spend.
            logger.LogWarning("Call of agent {AgentId} not held against budgets and policies: {Reason}", agentId, e.Message);
            return GateVerdict.Within;
        }
    }

    private async Task<GateVerdict> JudgeAsync(Guid teamId, Guid agentId, string provider, string model, long tokens,
        Dictionary<Guid, BudgetState?> exhaustedByAgent, CancellationToken ct)
    {
        var rules = await cache.GetAsync(teamId, ct);
        if (rules.Budgets.Count == 0 && rules.Policies.Count == 0)
        {
            return GateVerdict.Within;
        }

        var policies = rules.PoliciesFor(agentId).ToList();
        var violation = PolicyEvaluator.Evaluate(policies, provider, model, tokens, time.GetUtcNow())
            ?? await meter.CountCallAsync(policies, agentId);
        if (violation is not null)
        {
            await meter.RecordViolationAsync(violation, ct);
            return new GateVerdict(violation, null);
        }

        if (!exhaustedByAgent.TryGetValue(agentId, out var exhausted))
        {
            exhaustedByAgent[agentId] = exhausted = await ExhaustedBudgetAsync(rules.HardBudgetsFor(agentId), ct);
        }

        return new GateVerdict(null, exhausted);
    }

    /// <summary>The first hard budget whose spend has reached its amount, with that spend.</summary>
    private async Task<BudgetState?> ExhaustedBudgetAsync(IReadOnlyList<BudgetView> budgets, CancellationToken ct)
    {
        if (budgets.Count == 0)
        {
            return null;
        }

        var spent = await ledger.SpentAsync(budgets, ct);
        return budgets.Where(b => spent[b.Id] >= b.AmountUsd).Select(b => new BudgetState(b, spent[b.Id], null)).FirstOrDefault();
    }
}

/// <summary>A budget with its spend and unsettled reservations in the current period (null where not read: ingestion).</summary>
public sealed record BudgetState(BudgetView Budget, decimal Spent, decimal? Reserved)
{
    public DateTimeOffset? ResetsAt(DateTimeOffset now) => BudgetPeriods.ResetOf(Budget.Period, now);
}

public sealed record GateVerdict(PolicyViolation? Violation, BudgetState? OverBudget)
{
    public static readonly GateVerdict Within = new(null, null);

    /// <summary>What the stored call is flagged with (llm_calls.flag).</summary>
    public string? Flag => Violation is { } v ? $"policy:{v.Policy.Id}" : OverBudget is { } b ? $"over_budget:{b.Budget.Id}" : null;
}
