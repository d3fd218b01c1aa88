using System.Security.Claims;
using Cognive.ApiService.Agents;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Governance;
using Cognive.ApiService.Policies;
using Cognive.ApiService.Pricing;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Budgets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Cognive.ApiService.Caching;
using Npgsql;

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
        var teamId = CogniveClaims.TeamIdOf(user);
        var budgets = await db.Budgets.AsNoTracking().Where(b => b.TeamId == teamId && b.DeletedAt == null)
            .OrderBy(b => b.CreatedAt).ToListAsync(ct);
        var now = time.GetUtcNow();
        var spent = await SpentOrNullAsync(ledger, budgets, ct);
        return TypedResults.Ok(budgets.Select(b => ToResponse(b, spent?[b.Id], now)).ToList());
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
        BudgetCheckRequest request, ClaimsPrincipal user, CogniveDbContext db, AgentCache agents, TeamRulesCache cache,
        BudgetLedger ledger, PolicyMeter meter, PriceBook prices, HttpContext http, TimeProvider time, CancellationToken ct)
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
            if (!await agents.BelongsToAsync(db, teamId, agentId, ct))
            {
                return TypedResults.NotFound();
            }

            var estimate = request.EstimatedCostUsd ??
                await prices.EstimateAsync(request.Provider, request.Model!, request.InputTokens!.Value, request.MaxOutputTokens!.Value, ct);
            if (estimate is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["model"] = ["No price is in force for this model; send estimated_cost_usd instead."],
                });
            }

            var rules = await cache.GetAsync(teamId, ct);
            var policies = rules.PoliciesFor(agentId).ToList();
            var tokens = (request.InputTokens ?? 0) + (request.MaxOutputTokens ?? 0);
            var provider = request.Provider?.Trim().ToLowerInvariant();
            var violation = PolicyEvaluator.Evaluate(policies, provider, request.Model?.Trim().ToLowerInvariant(), tokens, now)
                ?? await (request.CountCall is true ? meter.CountCallAsync(policies, agentId) : meter.PeekAsync(policies, agentId));
            if (violation is not null)
            {
                await meter.RecordViolationAsync(violation, ct);
                return GovernanceProblems.PolicyViolated(violation);
            }

            var hard = rules.HardBudgetsFor(agentId);
            if (hard.Count == 0)
            {
                return TypedResults.Ok(new BudgetCheckResponse(true, null, estimate.Value, null, null));
            }

            var reservation = await ledger.ReserveAsync(hard, estimate.Value, ct);
            return reservation.Allowed
                ? TypedResults.Ok(new BudgetCheckResponse(true, reservation.Id, estimate.Value, reservation.Remaining, reservation.ExpiresAt))
                : GovernanceProblems.OverBudget(new BudgetState(reservation.Blocking!, reservation.Spent, reservation.Reserved), now, http,
                    $"Budget '{reservation.Blocking!.Name}' has no room for {estimate.Value} USD.",
                    heldOnly: reservation.Spent + estimate.Value <= reservation.Blocking!.AmountUsd);
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e) || e is NpgsqlException)
        {
            return GovernanceProblems.Unavailable(http);
        }
    }

    private static async Task<BudgetResponse> DescribeAsync(BudgetLedger ledger, Budget budget, DateTimeOffset now, CancellationToken ct) =>
        ToResponse(budget, (await SpentOrNullAsync(ledger, [budget], ct))?[budget.Id], now);

    /// <summary>Spend for display; a listing still answers (without spend) when Redis is down.</summary>
    private static async Task<IReadOnlyDictionary<Guid, decimal>?> SpentOrNullAsync(BudgetLedger ledger, IReadOnlyList<Budget> budgets,
        CancellationToken ct)
    {
        try
        {
            return await ledger.SpentAsync(budgets.Select(BudgetView.From).ToList(), ct);
        }
        catch (Exception e) when (RedisReadThrough.IsUnavailable(e) || e is NpgsqlException)
        {
            return null;
        }
    }

    private static BudgetResponse ToResponse(Budget budget, decimal? spent, DateTimeOffset now) => new(budget.Id, budget.Name,
        budget.AgentId is null ? "team" : "agent", budget.AgentId, budget.AmountUsd, budget.Period.ToString().ToLowerInvariant(),
        budget.Mode.ToString().ToLowerInvariant(), budget.Thresholds, spent, BudgetPeriods.StartOf(budget.Period, now),
        BudgetPeriods.ResetOf(budget.Period, now), budget.CreatedAt);

    private static object Audited(Budget budget) => new
    {
        budget.Name, budget.AgentId, budget.AmountUsd, period = budget.Period.ToString().ToLowerInvariant(),
        mode = budget.Mode.ToString().ToLowerInvariant(), budget.Thresholds,
    };
}
