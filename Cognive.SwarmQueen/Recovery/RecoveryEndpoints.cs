using System.Security.Claims;
using Cognive.Credentials;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.SwarmQueen.Recovery;

public static class RecoveryEndpoints
{
    /// <summary>
    /// <c>GET /api/v1/swarm/recoveries?kind=&amp;limit=</c>: the queen's recovery decisions for the team, newest first;
    /// <c>GET /api/v1/swarm/quarantines</c>: its kinds quarantined now, with the time left.
    /// </summary>
    public static RouteGroupBuilder MapRecoveryEndpoints(this RouteGroupBuilder swarm)
    {
        swarm.MapGet("/recoveries", ListAsync).WithTags("Swarm recovery").RequireAuthorization(Permissions.AgentRead);
        swarm.MapGet("/quarantines", QuarantinesAsync).WithTags("Swarm recovery").RequireAuthorization(Permissions.AgentRead);
        return swarm;
    }

    private static async Task<Ok<List<QuarantineView>>> QuarantinesAsync(ClaimsPrincipal user, RecoveryLedger ledger, CancellationToken ct) =>
        TypedResults.Ok(await ledger.QuarantinesAsync(Callers.TeamIdOf(user), ct));

    private static async Task<Results<Ok<List<RecoveryView>>, ValidationProblem>> ListAsync(string? kind, int? limit, ClaimsPrincipal user,
        RecoveryLedger ledger, CancellationToken ct)
    {
        if (limit is not null and not (>= 1 and <= 500))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit is 1 to 500."] });
        }

        return TypedResults.Ok(await ledger.ListAsync(Callers.TeamIdOf(user), kind, limit ?? 100, ct));
    }
}
