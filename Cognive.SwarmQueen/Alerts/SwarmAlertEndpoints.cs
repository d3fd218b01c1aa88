using System.Security.Claims;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.SwarmQueen.Alerts;

public static class SwarmAlertEndpoints
{
    /// <summary>
    /// <c>POST /api/v1/swarm/alerts</c>: an agent raises an alert for its team (a specialist's finding people must hear of),
    /// delivered to the team's webhooks and listed in <c>GET /api/v1/alerts</c> as <c>swarm.&lt;alert&gt;</c>.
    /// </summary>
    public static RouteGroupBuilder MapSwarmAlertEndpoints(this RouteGroupBuilder swarm)
    {
        swarm.MapPost("/alerts", RaiseAsync).WithTags("Swarm alerts").RequireAuthorization(Permissions.AgentWrite);
        return swarm;
    }

    private static async Task<Results<Accepted<RaisedAlert>, ValidationProblem>> RaiseAsync(RaiseAlertRequest request, ClaimsPrincipal user,
        SwarmAlerts alerts, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Alert is null || !NameLists.IsIdentifier(request.Alert, 40) || SwarmAlerts.QueensOwn.Contains(request.Alert))
        {
            errors["alert"] =
                [$"alert has 1 to 40 letters, digits, '-', '_' or '.', and is none of the queen's own ({string.Join(", ", SwarmAlerts.QueensOwn)})."];
        }

        if (request.Kind is not null && !NameLists.IsIdentifier(request.Kind, 100))
        {
            errors["kind"] = ["kind has 1 to 100 letters, digits, '-', '_' or '.'."];
        }

        if (string.IsNullOrWhiteSpace(request.Detail) || request.Detail.Length > 1000)
        {
            errors["detail"] = ["detail has 1 to 1000 characters."];
        }

        if (request.QuietMinutes is not null and not (>= 0 and <= 1440))
        {
            errors["quiet_minutes"] = ["quiet_minutes is 0 to 1440."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var raised = await alerts.RaiseAsync(Callers.TeamIdOf(user), Callers.ActorOf(user),
            new SwarmAlertDraft(request.Alert!, request.Kind ?? "*", request.Detail!, TimeSpan.FromMinutes(request.QuietMinutes ?? 0)), ct);
        return TypedResults.Accepted((string?)null, new RaisedAlert(raised));
    }
}

/// <param name="Kind">What it is about (an agent kind, a model…); "*" when left out.</param>
/// <param name="QuietMinutes">Not raised again for the same alert and kind within this many minutes (0: every time).</param>
public sealed record RaiseAlertRequest(string? Alert, string? Kind, string? Detail, int? QuietMinutes);

/// <param name="Raised">False when the same alert was raised within its quiet time: nothing was sent.</param>
public sealed record RaisedAlert(bool Raised);
