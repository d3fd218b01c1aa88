using System.Security.Claims;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Access;
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

    /// <summary>The team's budget alerts, newest first, each with its deliveries to the team's webhooks.</summary>
    private static async Task<Results<Ok<AlertPage>, ValidationProblem>> ListAsync([FromQuery(Name = "budget_id")] Guid? budgetId,
        int? limit, ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        if (FieldRules.PageLimit(limit, MaxPageSize) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var query = db.BudgetAlerts.AsNoTracking().Where(a => a.TeamId == teamId);
        query = budgetId is { } budget ? query.Where(a => a.BudgetId == budget) : query;
        var alerts = await query.OrderByDescending(a => a.FiredAt).ThenByDescending(a => a.Id).Take(limit ?? DefaultPageSize).ToListAsync(ct);
        var alertIds = alerts.Select(a => a.Id).ToList();
        var deliveries = (await db.AlertDeliveries.AsNoTracking()
                .Where(d => d.TeamId == teamId && alertIds.Contains(d.AlertId))
                .OrderBy(d => d.Id)
                .ToListAsync(ct))
            .ToLookup(d => d.AlertId, d => new AlertDeliveryResponse(d.WebhookId, d.Status.ToString().ToLowerInvariant(), d.Attempts,
                d.LastError, d.DeliveredAt));
        var items = alerts.Select(a => new AlertResponse(a.Id, a.BudgetId, a.Threshold, a.SpentUsd, a.LimitUsd, a.PeriodStart, a.FiredAt,
            deliveries[a.Id].ToList())).ToList();
        return TypedResults.Ok(new AlertPage(items));
    }
}
