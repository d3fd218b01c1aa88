using System.Security.Claims;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.LlmCalls;
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
        string? cursor, int? limit, ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        if (FieldRules.PageLimit(limit, MaxPageSize) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // The cursor is the last alert of the previous page (its time and id, as calls' cursors are).
        CallCursor? before = null;
        if (cursor is not null && (before = CallCursor.Parse(cursor)) is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["cursor is not one this API gave."] });
        }

        var (beforeAt, beforeId) = (before?.OccurredAt ?? DateTimeOffset.MaxValue, before?.EventId ?? Guid.Empty);
        var teamId = CogniveClaims.TeamIdOf(user);
        var take = limit ?? DefaultPageSize;
        var budgetAlerts = db.BudgetAlerts.AsNoTracking().Where(a => a.TeamId == teamId);
        budgetAlerts = budgetId is { } budget ? budgetAlerts.Where(a => a.BudgetId == budget) : budgetAlerts;
        budgetAlerts = before is null ? budgetAlerts
            : budgetAlerts.Where(a => a.FiredAt < beforeAt || (a.FiredAt == beforeAt && a.Id.CompareTo(beforeId) < 0));
        var alerts = (await budgetAlerts.OrderByDescending(a => a.FiredAt).ThenByDescending(a => a.Id).Take(take + 1).ToListAsync(ct))
            .Select(ToResponse)
            .ToList();
        if (budgetId is null)
        {
            var swarmAlerts = db.SwarmAlerts.AsNoTracking().Where(a => a.TeamId == teamId);
            swarmAlerts = before is null ? swarmAlerts
                : swarmAlerts.Where(a => a.RaisedAt < beforeAt || (a.RaisedAt == beforeAt && a.Id.CompareTo(beforeId) < 0));
            alerts.AddRange((await swarmAlerts.OrderByDescending(a => a.RaisedAt).ThenByDescending(a => a.Id).Take(take + 1).ToListAsync(ct))
                .Select(ToResponse));
        }

        // PostgreSQL orders uuids by their bytes, as their hex text sorts; Guid.CompareTo does not: merge as PostgreSQL pages.
        var merged = alerts.OrderByDescending(a => a.FiredAt).ThenByDescending(a => a.Id.ToString("N"), StringComparer.Ordinal).Take(take + 1).ToList();
        var page = merged.Take(take).ToList();
        var alertIds = page.Select(a => a.Id).ToList();
        var deliveries = (await db.AlertDeliveries.AsNoTracking()
                .Where(d => d.TeamId == teamId && alertIds.Contains(d.AlertId))
                .OrderBy(d => d.Id)
                .ToListAsync(ct))
            .ToLookup(d => d.AlertId, d => new AlertDeliveryResponse(d.WebhookId, d.Status.ToString().ToLowerInvariant(), d.Attempts,
                d.LastError, d.DeliveredAt));
        var next = merged.Count > take ? new CallCursor(page[^1].FiredAt, page[^1].Id).ToString() : null;
        return TypedResults.Ok(new AlertPage(page.Select(a => a with { Deliveries = deliveries[a.Id].ToList() }).ToList(), next));
    }

    /// <summary>An alert without its deliveries (the caller adds them when it shows them).</summary>
    internal static AlertResponse ToResponse(BudgetAlert a) => new(a.Id, AlertTypes.BudgetThresholdCrossed, a.BudgetId, a.Threshold,
        a.SpentUsd, a.LimitUsd, a.PeriodStart, null, null, a.FiredAt, AlertResponse.EmailStatusOf(a.EmailedAt, a.EmailError), a.EmailError, []);

    internal static AlertResponse ToResponse(SwarmAlert a) => new(a.Id, AlertTypes.OfSwarm(a.Alert), null, null, null, null, null,
        a.Kind, a.Detail, a.RaisedAt, AlertResponse.EmailStatusOf(a.EmailedAt, a.EmailError), a.EmailError, []);
}
