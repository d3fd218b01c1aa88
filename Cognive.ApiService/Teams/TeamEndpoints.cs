using System.Security.Claims;
using Cognive.ApiService.ApiKeys;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Teams;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Teams;

public static class TeamEndpoints
{
    public static RouteGroupBuilder MapTeamEndpoints(this RouteGroupBuilder api)
    {
        var teams = api.MapGroup("/teams").WithTags("Teams");
        teams.MapGet("/me", GetOwnAsync);
        teams.MapPost("/", CreateAsync).RequireAuthorization(CogniveClaims.InstallationAdminPolicy);
        return api;
    }

    private static async Task<Results<Ok<TeamResponse>, NotFound>> GetOwnAsync(ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var team = await db.Teams.AsNoTracking().SingleOrDefaultAsync(t => t.Id == teamId, ct);
        return team is null ? TypedResults.NotFound() : TypedResults.Ok(new TeamResponse(team.Id, team.Name, team.CreatedAt));
    }

    /// <summary>Creates a team with its first API key, returned once; the key holds every permission in its team.</summary>
    private static async Task<Results<Created<CreatedTeamResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTeamRequest request, CogniveDbContext db, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        if (NameRules.Validate(request.Name) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var name = request.Name!.Trim();
        if (await db.Teams.AnyAsync(t => t.Name == name, ct))
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/team-exists", title: "Team exists",
                statusCode: StatusCodes.Status409Conflict, detail: $"A team named '{name}' exists.");
        }

        var (team, key) = await AuditLog.InTransactionAsync(db, async () =>
        {
            var team = new Team { Name = name, CreatedAt = time.GetUtcNow() };
            db.Teams.Add(team);
            await db.SaveChangesAsync(ct);
            // An expiring admin key's team keys expire with it, as the keys it makes directly do.
            var key = await ApiKeyEndpoints.IssueAsync(db, team.Id, "first key", [.. Permissions.All], time, ct,
                expiresAt: CogniveClaims.KeyExpiresAtOf(http.User));
            await audit.RecordAsync(db, http, "team.create", "team", team.Id, new { after = new { team.Name, first_key = key.Prefix } }, ct);
            return (team, key);
        }, ct);
        return TypedResults.Created($"/api/v1/teams/{team.Id}", new CreatedTeamResponse(team.Id, team.Name, key));
    }
}

public sealed record CreateTeamRequest(string? Name);

public sealed record TeamResponse(Guid Id, string Name, DateTimeOffset CreatedAt);

public sealed record CreatedTeamResponse(Guid TeamId, string Name, CreatedApiKeyResponse ApiKey);
