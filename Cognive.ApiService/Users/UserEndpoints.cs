using System.Security.Claims;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Paging;
using Cognive.ApiService.RateLimits;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Users;

/// <summary>
/// Offboarding and care of a team's people, by its admins: change a role, disable or enable, delete, end every
/// session, set a new password; and a person's own password change. Each is audited with its change. Acting on a person
/// needs every permission of their role (and of the role given): nobody manages someone who holds more than they do.
/// Whatever ends a person's access ends it at once: their refresh tokens are revoked in the change's transaction and
/// their access tokens refused from then on (<see cref="AccessTokens.EndSessionsAsync"/>).
/// </summary>
public static class UserEndpoints
{
    public static RouteGroupBuilder MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequirePermission(Permissions.Admin);
        users.MapGet("/", ListAsync);
        users.MapPatch("/{id:guid}", UpdateAsync);
        users.MapDelete("/{id:guid}", DeleteAsync);
        users.MapPost("/{id:guid}/sessions/revoke", RevokeSessionsAsync);
        users.MapPost("/{id:guid}/password", SetPasswordAsync);
        api.MapPost("/auth/password", ChangeOwnPasswordAsync).WithTags("Authentication");
        return api;
    }

    /// <summary>The team's people in the order they were registered, paged by <see cref="ListPages"/>.</summary>
    private static async Task<Results<Ok<List<UserResponse>>, ValidationProblem>> ListAsync(Guid? cursor, int? limit, ClaimsPrincipal caller,
        CogniveDbContext db, HttpContext http, CancellationToken ct)
    {
        if (ListPages.Refusal(limit) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(caller);
        var query = db.Users.AsNoTracking().Where(u => u.TeamId == teamId);
        query = cursor is { } after ? query.Where(u => u.Id.CompareTo(after) > 0) : query;
        var users = await ListPages.TakeAsync(query.OrderBy(u => u.Id), limit, u => u.Id, http, ct);
        return TypedResults.Ok(users.Select(AuthEndpoints.ToResponse).ToList());
    }

    /// <summary>A new role, or disabled true/false. A role change or a disable ends the person's sessions.</summary>
    private static async Task<Results<Ok<UserResponse>, ValidationProblem, NotFound, ProblemHttpResult>> UpdateAsync(Guid id,
        UpdateUserRequest request, UserAction action, CancellationToken ct)
    {
        if (request.Role is not null && !Roles.All.Contains(request.Role) || request is { Role: null, Disabled: null })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["role"] = [$"Give a role (one of {string.Join(", ", Roles.All)}) or disabled (true or false)."],
            });
        }

        return await action.ApplyAsync(id, "user.update", request.Role, async (user, now) =>
        {
            var before = new { role = user.Role, disabled_at = user.DisabledAt };
            user.Role = request.Role ?? user.Role;
            user.DisabledAt = request.Disabled switch { true => user.DisabledAt ?? now, false => null, null => user.DisabledAt };
            var endsSessions = user.Role != before.role || user.DisabledAt is not null && before.disabled_at is null;
            if (user.DisabledAt is not null)
            {
                await RefreshTokens.RevokeAllAsync(action.Db, user.Id, now, ct);
            }

            return new Outcome<Ok<UserResponse>>(TypedResults.Ok(AuthEndpoints.ToResponse(user)), endsSessions,
                new { before, after = new { role = user.Role, disabled_at = user.DisabledAt } });
        }, ct);
    }

    /// <summary>Deletes the person; their refresh tokens go with them. Their audit records stay.</summary>
    private static Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> DeleteAsync(Guid id, UserAction action,
        CancellationToken ct) =>
        action.ApplyAsync(id, "user.delete", null, (user, _) =>
        {
            action.Db.Users.Remove(user);
            return Task.FromResult(new Outcome<NoContent>(TypedResults.NoContent(), true,
                new { before = new { email = user.Email, role = user.Role } }));
        }, ct);

    private static Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> RevokeSessionsAsync(Guid id,
        UserAction action, CancellationToken ct) =>
        action.ApplyAsync(id, "user.sessions_revoke", null, async (user, now) => new Outcome<NoContent>(TypedResults.NoContent(), true,
            new { refresh_tokens_revoked = await RefreshTokens.RevokeAllAsync(action.Db, user.Id, now, ct) }), ct);

    /// <summary>An admin sets a new password (the person forgot theirs, or it leaked): every session of theirs ends.</summary>
    private static async Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> SetPasswordAsync(Guid id,
        SetPasswordRequest request, UserAction action, LoginSelectors selectors, CancellationToken ct)
    {
        if (PasswordHasher.Refusal(request.Password, "password") is { } refusal)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = [refusal] });
        }

        return await action.ApplyAsync(id, "user.password_reset", null, async (user, now) =>
        {
            selectors.SetPassword(user, request.Password!);
            await RefreshTokens.RevokeAllAsync(action.Db, user.Id, now, ct);
            return new Outcome<NoContent>(TypedResults.NoContent(), true, new { });
        }, ct);
    }

    /// <summary>
    /// A person changes their own password, proving the current one (its failures count toward the account's sign-in
    /// lock, so a stolen access token cannot guess it). Every login's refresh tokens are revoked; access tokens,
    /// including the caller's, lapse within their 10 minutes (an admin's session revoke ends them at once).
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> ChangeOwnPasswordAsync(
        ChangePasswordRequest request, UserAction action, LoginSelectors selectors, AccountLocks locks, HttpContext http,
        CancellationToken ct)
    {
        if (CogniveClaims.UserIdOf(http.User) is not { } userId)
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/not-a-session", title: "Not a session",
                statusCode: StatusCodes.Status400BadRequest, detail: "Only a person, signed in with a bearer token, has a password.");
        }

        if (PasswordHasher.Refusal(request.NewPassword, "new_password") is { } refusal)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["new_password"] = [refusal] });
        }

        var email = http.User.FindFirstValue(CogniveClaims.Email) ?? "";
        var address = http.Connection.RemoteIpAddress;
        if (await locks.LockedForAsync(email, address) is { } locked)
        {
            return SignInProblems.Locked(http, locked);
        }

        var current = await action.Db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PasswordHash).SingleOrDefaultAsync(ct);
        if (current is null || !PasswordHasher.Verify(request.CurrentPassword ?? "", current))
        {
            await locks.FailedAsync(email, address);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["current_password"] = ["current_password is wrong."] });
        }

        return await action.ApplyAsync(userId, "auth.password_change", null, async (user, now) =>
        {
            selectors.SetPassword(user, request.NewPassword!);
            await RefreshTokens.RevokeAllAsync(action.Db, user.Id, now, ct);
            return new Outcome<NoContent>(TypedResults.NoContent(), false, new { });
        }, ct);
    }
}
