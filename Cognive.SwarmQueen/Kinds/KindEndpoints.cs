using System.Security.Claims;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.SwarmQueen.Kinds;

/// <summary>
/// <c>/api/v1/swarm/kinds</c>: which team owns which agent kind. A team lists its own; the installation's admin team
/// lists all, grants a kind to a team (<c>PUT /kinds/{kind} {"team_id"}</c>) and takes it back (<c>DELETE</c>).
/// </summary>
public static class KindEndpoints
{
    private const string NotAdminType = "https://cognive.dev/problems/installation-admin-required";

    public static RouteGroupBuilder MapKindEndpoints(this RouteGroupBuilder swarm)
    {
        var kinds = swarm.MapGroup("/kinds").WithTags("Swarm kinds");
        kinds.MapGet("/", ListAsync).RequireAuthorization(Permissions.AgentRead);
        kinds.MapPut("/{kind}", GrantAsync).RequireAuthorization(Permissions.Admin);
        kinds.MapDelete("/{kind}", RevokeAsync).RequireAuthorization(Permissions.Admin);
        return swarm;
    }

    private static async Task<Ok<List<KindView>>> ListAsync(ClaimsPrincipal user, KindOwners owners, CancellationToken ct)
    {
        var teamId = Callers.TeamIdOf(user);
        return TypedResults.Ok(await owners.ListAsync(teamId, await owners.IsInstallationAdminAsync(teamId, ct), ct));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> GrantAsync(string kind, GrantKindRequest request,
        ClaimsPrincipal user, KindOwners owners, CancellationToken ct)
    {
        var adminTeam = Callers.TeamIdOf(user);
        if (!await owners.IsInstallationAdminAsync(adminTeam, ct))
        {
            return NotAdmin();
        }

        var errors = new Dictionary<string, string[]>();
        if (!IsGrantable(kind))
        {
            errors["kind"] = [$"kind has 1 to 100 letters, digits, '-', '_' or '.', and is not '{KindOwners.Undeclared}'."];
        }

        if (request.TeamId is null)
        {
            errors["team_id"] = ["team_id is required."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await owners.GrantAsync(adminTeam, Callers.ActorOf(user), kind, request.TeamId!.Value, ct)
            ? TypedResults.NoContent()
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["team_id"] = ["team_id is no team."] });
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> RevokeAsync(string kind, ClaimsPrincipal user, KindOwners owners,
        CancellationToken ct)
    {
        var adminTeam = Callers.TeamIdOf(user);
        if (!await owners.IsInstallationAdminAsync(adminTeam, ct))
        {
            return NotAdmin();
        }

        return await owners.RevokeAsync(adminTeam, Callers.ActorOf(user), kind, ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static bool IsGrantable(string kind) => NameLists.IsIdentifier(kind, 100) && kind != KindOwners.Undeclared;

    private static ProblemHttpResult NotAdmin() => TypedResults.Problem(type: NotAdminType, title: "Installation admin required",
        statusCode: StatusCodes.Status403Forbidden, detail: "Agent kinds are granted by the installation's admin team.");
}
