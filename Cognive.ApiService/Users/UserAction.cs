using System.Security.Claims;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Users;

/// <summary>What a change of a person answers, whether it ends their sessions, and what its audit record says.</summary>
public sealed record Outcome<TAnswer>(TAnswer Answer, bool EndsSessions, object Summary);

/// <summary>
/// One change of one person of the caller's team, as every user endpoint makes it: found in the caller's team (another
/// team's person is a 404), refused (403) when the person's role or the role given holds a permission the caller lacks,
/// changed and audited in one transaction, and, when the change says so, their access tokens refused after it commits.
/// </summary>
public sealed class UserAction(CogniveDbContext db, AuditLog audit, AccessTokens tokens, HttpContext http, TimeProvider time)
{
    public CogniveDbContext Db => db;

    public static ValueTask<UserAction?> BindAsync(HttpContext http) => ValueTask.FromResult<UserAction?>(new UserAction(
        http.RequestServices.GetRequiredService<CogniveDbContext>(), http.RequestServices.GetRequiredService<AuditLog>(),
        http.RequestServices.GetRequiredService<AccessTokens>(), http, http.RequestServices.GetRequiredService<TimeProvider>()));

    public async Task<Results<TAnswer, ValidationProblem, NotFound, ProblemHttpResult>> ApplyAsync<TAnswer>(Guid userId, string action,
        string? newRole, Func<User, DateTimeOffset, Task<Outcome<TAnswer>>> change, CancellationToken ct)
        where TAnswer : IResult
    {
        var caller = http.User;
        var teamId = CogniveClaims.TeamIdOf(caller);
        var (outcome, beyond, found) = await AuditLog.InTransactionAsync(db, async () =>
        {
            var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId && u.TeamId == teamId, ct);
            if (user is null)
            {
                return ((Outcome<TAnswer>?)null, (string?)null, false);
            }

            if (Beyond(caller, user.Role, newRole) is { } lacking)
            {
                return ((Outcome<TAnswer>?)null, lacking, true);
            }

            var outcome = await change(user, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, action, "user", userId, outcome.Summary, ct);
            return ((Outcome<TAnswer>?)outcome, (string?)null, true);
        }, ct);
        if (!found)
        {
            return TypedResults.NotFound();
        }

        if (outcome is null)
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/forbidden", title: "Forbidden",
                statusCode: StatusCodes.Status403Forbidden, detail: $"The person's role holds '{beyond}', which the caller lacks.");
        }

        if (outcome.EndsSessions)
        {
            await tokens.EndSessionsAsync(userId);
        }

        return outcome.Answer;
    }

    private static string? Beyond(ClaimsPrincipal caller, string role, string? newRole) =>
        Roles.PermissionsOf(role).Concat(newRole is null ? [] : Roles.PermissionsOf(newRole))
            .FirstOrDefault(p => !CogniveClaims.Has(caller, p));
}
