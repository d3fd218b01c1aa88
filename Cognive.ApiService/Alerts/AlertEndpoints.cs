using System.Security.Claims;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Alerts;
using Cognive.Data.Budgets;
using Cognive.Data.Swarm;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Alerts;

public static class AlertEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapAlertEndpoints(this RouteGroupBuilder api)
    {
        api.MapGroup("/alerts").WithTags("Alerts").MapGet("/", ListAsync).RequirePermission(Permissions.CostRead);
        return api;
    }

    /// <summary>The team's alerts (of one budget, with <c>budget_id</c>), newest first, each with its deliveries to the team's webhooks.</summary>
    private static async Task<Results<Ok<AlertPage>, ValidationProblem>> ListAsync([FromQuery(Name = "budget_id")] Guid? budgetId,
        int? limit, ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        if (FieldRules.PageLimit(limit, MaxPageSize) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var take = limit ?? DefaultPageSize;
        var budgetAlerts = db.BudgetAlerts.AsNoTracking().Where(a => a.TeamId == teamId);
        budgetAlerts = budgetId is { } budget ? budgetAlerts.Where(a => a.BudgetId == budget) : budgetAlerts;
        var alerts = (await budgetAlerts.OrderByDescending(a => a.FiredAt).ThenByDescending(a => a.Id).Take(take).ToListAsync(ct))
            .Select(ToResponse)
            .ToList();
        if (budgetId is null)
        {
            alerts.AddRange((await db.SwarmAlerts.AsNoTracking().Where(a => a.TeamId == teamId)
                    .OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id).Take(take).ToListAsync(ct))
                .Select(ToResponse));
        }

        var page = alerts.OrderByDescending(a => a.FiredAt).ThenByDescending(a => a.Id).Take(take).ToList();
        var alertIds = page.Select(a => a.Id).ToList();
        var deliveries = (await db.AlertDeliveries.AsNoTracking()
                .Where(d => d.TeamId == teamId && alertIds.Contains(d.AlertId))
                .OrderBy(d => d.Id)
                .ToListAsync(ct))
            .ToLookup(d => d.AlertId, d => new AlertDeliveryResponse(d.WebhookId, d.Status.ToString().ToLowerInvariant(), d.Attempts,
                d.LastError, d.DeliveredAt));
        return TypedResults.Ok(new AlertPage(page.Select(a => a with { Deliveries = deliveries[a.Id].ToList() }).ToList()));
    }

    /// <summary>An alert without its deliveries (the caller adds them when it shows them).</summary>
    internal static AlertResponse ToResponse(BudgetAlert a) => new(a.Id, AlertTypes.BudgetThresholdCrossed, a.BudgetId, a.Threshold,
        a.SpentUsd, a.LimitUsd, a.PeriodStart, null, null, a.FiredAt, AlertResponse.EmailStatusOf(a.EmailedAt, a.EmailError), a.EmailError, []);

    internal static AlertResponse ToResponse(SwarmAlert a) => new(a.Id, AlertTypes.OfSwarm(a.Alert), null, null, null, null, null,
        a.Kind, a.Detail, a.RaisedAt, AlertResponse.EmailStatusOf(a.EmailedAt, a.EmailError), a.EmailError, []);
}
