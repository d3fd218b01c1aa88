using Cognive.Governance.Budgets;
using Cognive.Governance.Policies;
using Cognive.Governance.Pricing;

namespace Cognive.Governance;

/// <summary>
/// Holds LLM calls against their team's policies and hard budgets, before a call (<see cref="CheckAsync"/>: the API's
/// budget check and the gateway) and after it (<see cref="ReportAsync"/>: reported calls). Both go through one screening:
/// evaluate the policies, count the call (or peek), record a violation; then the budgets. The workers settle what a
/// check reserved (<see cref="BudgetTracker"/>).
/// </summary>
public sealed class SpendGate(TeamRulesCache cache, BudgetLedger ledger, PolicyMeter meter, PriceBook prices, TimeProvider time,
    ILogger<SpendGate> logger)
{
    /// <summary>
    /// Before a call: policies, then a reservation of the estimate on every hard budget the agent falls under, held until
    /// the call is stored or <see cref="BudgetLedger.HoldLifetime"/> passes. Null when the call has no estimate and its
    /// model has no price in force. Redis or PostgreSQL unreachable throws: budget checks fail closed.
    /// </summary>
    public async Task<CheckVerdict?> CheckAsync(CallCheck check, CancellationToken ct)
    {
        var estimate = check.EstimatedCostUsd ??
            await prices.EstimateAsync(check.Provider, check.Model!, check.InputTokens ?? 0, check.MaxOutputTokens ?? 0, ct);
        if (estimate is not { } cost)
        {
            return null;
        }

        var rules = await cache.GetAsync(check.TeamId, ct);
        var violation = await ScreenAsync(rules, check.AgentId, check.Provider?.Trim().ToLowerInvariant(),
            check.Model?.Trim().ToLowerInvariant(), (check.InputTokens ?? 0) + (check.MaxOutputTokens ?? 0), check.CountCall, ct);
        if (violation is not null)
        {
            return new CheckVerdict(cost, null, null, null, violation);
        }

        var hard = rules.HardBudgetsFor(check.AgentId);
        if (hard.Count == 0)
        {
            return new CheckVerdict(cost, null, null, null);
        }

        var reservation = await ledger.ReserveAsync(hard, cost, ct);
        return reservation.Allowed
            ? new CheckVerdict(cost, reservation.Id, reservation.Remaining, reservation.ExpiresAt)
            : new CheckVerdict(cost, null, null, null, OverBudget: new BudgetState(reservation.Blocking!, reservation.Spent, reservation.Reserved),
                HeldOnly: reservation.Spent + cost <= reservation.Blocking!.AmountUsd);
    }

    /// <summary>
    /// After a call: it has happened by the time it is reported, so it is recorded whatever the verdict; the verdict flags
    /// it and tells the agent to stop (403 or 429). When its rules or spend cannot be read (Redis or PostgreSQL away) the
    /// call is recorded unflagged: budget checks, which come before spending, are what fail closed.
    /// </summary>
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

        if (await ScreenAsync(rules, agentId, provider, model, tokens, count: true, ct) is { } violation)
        {
            return new GateVerdict(violation, null);
        }

        if (!exhaustedByAgent.TryGetValue(agentId, out var exhausted))
        {
            exhaustedByAgent[agentId] = exhausted = await ExhaustedBudgetAsync(rules.HardBudgetsFor(agentId), ct);
        }

        return new GateVerdict(null, exhausted);
    }

    /// <summary>The first policy rule the call breaks, counted on the policy; a reported call always counts for
    /// calls-per-minute rules, a check when it says it will be made (otherwise it only peeks).</summary>
    private async Task<PolicyViolation?> ScreenAsync(TeamRules rules, Guid agentId, string? provider, string? model, long tokens,
        bool count, CancellationToken ct)
    {
        var policies = rules.PoliciesFor(agentId).ToList();
        var violation = PolicyEvaluator.Evaluate(policies, provider, model, tokens, time.GetUtcNow())
            ?? await (count ? meter.CountCallAsync(policies, agentId) : meter.PeekAsync(policies, agentId));
        if (violation is not null)
        {
            await meter.RecordViolationAsync(violation, ct);
        }

        return violation;
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

/// <summary>A call about to be made: its cost given, or estimated from the model's price (input plus the most output it may produce).</summary>
public sealed record CallCheck(Guid TeamId, Guid AgentId, string? Provider, string? Model, long? InputTokens, long? MaxOutputTokens,
    decimal? EstimatedCostUsd, bool CountCall)
{
    /// <summary>The most input or output tokens a check may name.</summary>
    public const long MaxTokens = 100_000_000;

    public static bool IsTokenCount(long? tokens) => tokens is >= 0 and <= MaxTokens;
}

/// <param name="ReservationId">What the check holds on the hard budgets (none when the agent falls under none).</param>
/// <param name="Remaining">Room left on the tightest hard budget after this reservation.</param>
/// <param name="HeldOnly">Refused by a budget whose spend alone leaves room: other checks' reservations fill it, and they
/// settle or lapse within <see cref="BudgetLedger.HoldLifetime"/>.</param>
public sealed record CheckVerdict(decimal EstimatedCostUsd, Guid? ReservationId, decimal? Remaining, DateTimeOffset? ExpiresAt,
    PolicyViolation? Violation = null, BudgetState? OverBudget = null, bool HeldOnly = false)
{
    public bool Allowed => Violation is null && OverBudget is null;

    /// <summary>Why the call is refused, for people.</summary>
    public string? Refusal => Violation?.Detail ??
        (OverBudget is { } budget ? $"Budget '{budget.Budget.Name}' has no room for {EstimatedCostUsd} USD." : null);
}

public sealed record GateVerdict(PolicyViolation? Violation, BudgetState? OverBudget)
{
    public static readonly GateVerdict Within = new(null, null);

    /// <summary>What the stored call is flagged with (llm_calls.flag).</summary>
    public string? Flag => Violation is { } v ? $"policy:{v.Policy.Id}" : OverBudget is { } b ? $"over_budget:{b.Budget.Id}" : null;
}
