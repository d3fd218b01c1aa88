using System.Security.Claims;
using Cognive.ApiService.Agents;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Governance;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Budgets;
using Cognive.Governance;
using Cognive.Governance.Budgets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Budgets;

/// <summary>
/// Budgets and the check an agent makes before it calls a model. The check holds the estimate on every hard budget
/// the agent falls under (team-wide and its own) until the call is reported or <see cref="BudgetLedger.HoldLifetime"/>
/// passes. When Redis cannot be read the check refuses (503): budgets fail closed.
/// </summary>
public static class BudgetEndpoints
{
    public static RouteGroupBuilder MapBudgetEndpoints(this RouteGroupBuilder api)
    {
        var budgets = api.MapGroup("/budgets").WithTags("Budgets");
        budgets.MapPost("/", CreateAsync).RequirePermission(Permissions.BudgetWrite);
        budgets.MapGet("/", ListAsync).RequirePermission(Permissions.CostRead);
        budgets.MapGet("/{id:guid}", GetAsync).RequirePermission(Permissions.CostRead);
        budgets.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(Permissions.BudgetWrite);
        budgets.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(Permissions.BudgetWrite);
        budgets.MapPost("/check", CheckAsync).RequirePermission(Permissions.TelemetryWrite);
        return api;
    }

    private static async Task<Results<Created<BudgetResponse>, ValidationProblem>> CreateAsync(CreateBudgetRequest request,
        ClaimsPrincipal user, CogniveDbContext db, AgentCache agents, TeamRulesCache rules, BudgetLedger ledger, AuditLog audit,
        HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var errors = BudgetRules.ValidateCreate(request) ?? new Dictionary<string, string[]>();
        if (request.AgentId is { } agentId && await agents.GetAsync(db, teamId, agentId, ct) is null)
        {
            errors["agent_id"] = ["No such agent in this team."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var budget = await AuditLog.InTransactionAsync(db, async () =>
        {
            var budget = new Budget
            {
                TeamId = teamId, AgentId = request.AgentId, Name = request.Name!.Trim(), AmountUsd = request.AmountUsd!.Value,
                Period = BudgetRules.Parse<BudgetPeriod>(request.Period!),
                Mode = request.Mode is null ? BudgetMode.Hard : BudgetRules.Parse<BudgetMode>(request.Mode),
                Thresholds = request.Thresholds?.Order().ToArray() ?? [80, 90, 100], CreatedAt = now, UpdatedAt = now,
            };
            db.Budgets.Add(budget);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "budget.create", "budget", budget.Id, new { after = Audited(budget) }, ct);
            return budget;
        }, ct);
        await rules.ChangedAsync(teamId);
        return TypedResults.Created($"/api/v1/budgets/{budget.Id}", await DescribeAsync(ledger, budget, now, ct));
    }

    private static async Task<Ok<List<BudgetResponse>>> ListAsync(ClaimsPrincipal user, CogniveDbContext db, BudgetLedger ledger,
        TimeProvider time, CancellationToken ct)
    {
        return TypedResults.Ok(await DescribeTeamAsync(db, ledger, CogniveClaims.TeamIdOf(user), time.GetUtcNow(), ct));
    }

    /// <summary>The team's budgets with their spend in the current period (the listing, and the console's overview).</summary>
    internal static async Task<List<BudgetResponse>> DescribeTeamAsync(CogniveDbContext db, BudgetLedger ledger, Guid teamId,
        DateTimeOffset now, CancellationToken ct)
    {
        var budgets = await db.Budgets.AsNoTracking().Where(b => b.TeamId == teamId && b.DeletedAt == null)
            .OrderBy(b => b.CreatedAt).ToListAsync(ct);
        var standing = await StandingOrNullAsync(ledger, budgets, ct);
        return budgets.Select(b => ToResponse(b, standing, now)).ToList();
    }

    private static async Task<Results<Ok<BudgetResponse>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, CogniveDbContext db,
        BudgetLedger ledger, TimeProvider time, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var budget = await db.Budgets.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id && b.TeamId == teamId && b.DeletedAt == null, ct);
        return budget is null ? TypedResults.NotFound() : TypedResults.Ok(await DescribeAsync(ledger, budget, time.GetUtcNow(), ct));
    }

    private static async Task<Results<Ok<BudgetResponse>, ValidationProblem, NotFound>> UpdateAsync(Guid id, UpdateBudgetRequest request,
        ClaimsPrincipal user, CogniveDbContext db, TeamRulesCache rules, BudgetLedger ledger, AuditLog audit, HttpContext http,
        TimeProvider time, CancellationToken ct)
    {
        if (BudgetRules.ValidateUpdate(request) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var now = time.GetUtcNow();
        var budget = await AuditLog.InTransactionAsync(db, async () =>
        {
            var budget = await db.Budgets.SingleOrDefaultAsync(b => b.Id == id && b.TeamId == teamId && b.DeletedAt == null, ct);
            if (budget is null)
            {
                return null;
            }

            var before = Audited(budget);
            budget.Name = request.Name?.Trim() ?? budget.Name;
            budget.AmountUsd = request.AmountUsd ?? budget.AmountUsd;
            budget.Mode = request.Mode is null ? budget.Mode : BudgetRules.Parse<BudgetMode>(request.Mode);
            budget.Thresholds = request.Thresholds?.Order().ToArray() ?? budget.Thresholds;
            budget.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "budget.update", "budget", budget.Id, new { before, after = Audited(budget) }, ct);
            return budget;
        }, ct);
        if (budget is null)
        {
            return TypedResults.NotFound();
        }

        await rules.ChangedAsync(teamId);
        return TypedResults.Ok(await DescribeAsync(ledger, budget, now, ct));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, CogniveDbContext db, TeamRulesCache rules,
        AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        if (!await SoftDeletion.EndAsync<Budget>(db, audit, http, time, id, "budget", Audited, ct))
        {
            return TypedResults.NotFound();
        }

        await rules.ChangedAsync(CogniveClaims.TeamIdOf(http.User));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<BudgetCheckResponse>, ValidationProblem, NotFound, ProblemHttpResult>> CheckAsync(
        BudgetCheckRequest request, ClaimsPrincipal user, AgentOwners agents, SpendGate gate, HttpContext http, TimeProvider time,
        CancellationToken ct)
    {
        if (BudgetRules.ValidateCheck(request) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var agentId = request.AgentId!.Value;
        var now = time.GetUtcNow();
        try
        {
            if (!await agents.BelongsToAsync(teamId, agentId, ct))
            {
                return TypedResults.NotFound();
            }

            var verdict = await gate.CheckAsync(new CallCheck(teamId, agentId, request.Provider, request.Model, request.InputTokens,
                request.MaxOutputTokens, request.EstimatedCostUsd, request.CountCall is true), ct);
            return verdict switch
            {
                null => TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["model"] = ["No price is in force for this model; send estimated_cost_usd instead."],
                }),
                { Violation: { } violation } => GovernanceProblems.PolicyViolated(violation),
                { OverBudget: { } budget } => GovernanceProblems.OverBudget(budget, now, http, verdict.Refusal!, heldOnly: verdict.HeldOnly),
                _ => TypedResults.Ok(new BudgetCheckResponse(true, verdict.ReservationId, verdict.EstimatedCostUsd, verdict.Remaining,
                    verdict.ExpiresAt)),
            };
        }
        catch (Exception e) when (GovernanceFaults.IsUnavailable(e))
        {
            return GovernanceProblems.Unavailable(http);
        }
    }

    private static async Task<BudgetResponse> DescribeAsync(BudgetLedger ledger, Budget budget, DateTimeOffset now, CancellationToken ct) =>
        ToResponse(budget, await StandingOrNullAsync(ledger, [budget], ct), now);

    /// <summary>Spend and holds for display; a listing still answers (without them) when Redis is down.</summary>
    private static async Task<BudgetStanding?> StandingOrNullAsync(BudgetLedger ledger, IReadOnlyList<Budget> budgets,
        CancellationToken ct)
    {
        try
        {
            var views = budgets.Select(BudgetView.From).ToList();
            return new BudgetStanding(await ledger.SpentAsync(views, ct), await ledger.HeldAsync(views));
        }
        catch (Exception e) when (GovernanceFaults.IsUnavailable(e))
        {
            return null;
        }
    }

    private static BudgetResponse ToResponse(Budget budget, BudgetStanding? standing, DateTimeOffset now) => new(budget.Id, budget.Name,
        budget.AgentId is null ? "team" : "agent", budget.AgentId, budget.AmountUsd, budget.Period.ToString().ToLowerInvariant(),
        budget.Mode.ToString().ToLowerInvariant(), budget.Thresholds, standing?.Spent[budget.Id], standing?.Held[budget.Id],
        BudgetPeriods.StartOf(budget.Period, now),
        BudgetPeriods.ResetOf(budget.Period, now), budget.CreatedAt);

    private sealed record BudgetStanding(IReadOnlyDictionary<Guid, decimal> Spent, IReadOnlyDictionary<Guid, decimal> Held);

    private static object Audited(Budget budget) => new
    {
        budget.Name, budget.AgentId, budget.AmountUsd, period = budget.Period.ToString().ToLowerInvariant(),
        mode = budget.Mode.ToString().ToLowerInvariant(), budget.Thresholds,
    };
}
