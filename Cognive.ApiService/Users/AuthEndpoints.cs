using System.Security.Claims;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.RateLimits;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cognive.ApiService.Users;

/// <summary>
/// People: a team's admin (a person with the admin role, or the team's first API key) registers users; users log in
/// for a 10-minute access token and a rotating refresh token.
/// </summary>
public static class AuthEndpoints
{
    private const int MaxEmailLength = 254;

    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Authentication");
        auth.MapPost("/register", RegisterAsync).RequirePermission(Permissions.Admin);
        auth.MapPost("/login", LoginAsync).AllowAnonymous();
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous();
        auth.MapPost("/logout", LogoutAsync);
        auth.MapGet("/me", Me);
        return api;
    }

    /// <summary>
    /// An address in use in another team is registered like a free one (this team gets its own person with it): the
    /// answer never tells a team who exists elsewhere. Only this team's own people, which it can list anyway, conflict.
    /// </summary>
    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, ClaimsPrincipal caller, CogniveDbContext db, AuditLog audit, LoginSelectors selectors, HttpContext http,
        TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim().ToLowerInvariant();
        if (email is not { Length: <= MaxEmailLength } || !FieldRules.IsMailAddress(email))
        {
            errors["email"] = [$"email is an address (local@domain) of at most {MaxEmailLength} characters."];
        }

        if (PasswordHasher.Refusal(request.Password, "password") is { } refusal)
        {
            errors["password"] = [refusal];
        }

        if (request.Role is null || !Roles.All.Contains(request.Role))
        {
            errors["role"] = [$"role is one of {string.Join(", ", Roles.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Registering someone is handing out their role's permissions: nobody may hand out more than they hold.
        if (Roles.PermissionsOf(request.Role!).FirstOrDefault(p => !CogniveClaims.Has(caller, p)) is { } beyond)
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/forbidden", title: "Forbidden",
                statusCode: StatusCodes.Status403Forbidden, detail: $"The role {request.Role} holds '{beyond}', which the caller lacks.");
        }

        var teamId = CogniveClaims.TeamIdOf(caller);
        if (await db.Users.AnyAsync(u => u.TeamId == teamId && u.Email == email, ct))
        {
            return UserExists();
        }

        try
        {
            var user = await RegisterUserAsync(db, audit, selectors, http, teamId, email!, request.Password!, request.Role!, time, ct);
            return TypedResults.Created($"/api/v1/users/{user.Id}", ToResponse(user));
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return UserExists(); // registered concurrently, between the check and the insert
        }
    }

    private static ProblemHttpResult UserExists() => TypedResults.Problem(type: "https://cognive.dev/problems/user-exists",
        title: "User exists", statusCode: StatusCodes.Status409Conflict, detail: "A person of this team has this e-mail.");

    private static Task<User> RegisterUserAsync(CogniveDbContext db, AuditLog audit, LoginSelectors selectors, HttpContext http,
        Guid teamId, string email, string password, string role, TimeProvider time, CancellationToken ct) =>
        AuditLog.InTransactionAsync(db, async () =>
        {
            var user = new User { TeamId = teamId, Email = email, PasswordHash = "", Role = role, CreatedAt = time.GetUtcNow() };
            selectors.SetPassword(user, password);
            db.Users.Add(user);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "user.register", "user", user.Id, new { after = new { user.Email, user.Role } }, ct);
            return user;
        }, ct);

    /// <summary>
    /// Checks one slow hash whatever the e-mail (see <see cref="LoginSelectors"/>), after the account's lock
    /// (<see cref="AccountLocks"/>), which treats every e-mail alike so that neither tells who exists.
    /// </summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(LoginRequest request, CogniveDbContext db,
        AccessTokens tokens, LoginSelectors selectors, AccountLocks locks, IOptions<SignInSettings> settings, AuditLog audit,
        HttpContext http, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var email = request.Email?.Trim().ToLowerInvariant() is { Length: > 0 and <= MaxEmailLength } given ? given : null;
        var address = http.Connection.RemoteIpAddress;
        if (email is not null && await locks.LockedForAsync(email, address) is { } locked)
        {
            return SignInProblems.Locked(http, locked);
        }

        var password = request.Password is { Length: <= PasswordHasher.MaxLength } typed ? typed : "";
        var selector = selectors.Of(email ?? "", password);
        var user = email is null ? null
            : selectors.Pick(await db.Users.AsNoTracking().Where(u => u.Email == email).OrderBy(u => u.CreatedAt).ToListAsync(ct), selector);
        // A wrong e-mail costs a hash too, so response times do not tell which e-mails exist.
        var valid = PasswordHasher.Verify(password, user?.PasswordHash ?? selectors.DecoyHash) && user is { DisabledAt: null };
        if (!valid)
        {
            if (email is not null)
            {
                await locks.FailedAsync(email, address);
            }

            if (user is not null)
            {
                await AuditLog.InTransactionAsync(db, async () =>
                {
                    await audit.RecordAsync(db, http, user.TeamId, CogniveClaims.UserActor(user.Id), "auth.login_failed", "user", user.Id,
                        new { reason = user.DisabledAt is null ? "wrong password" : "disabled" }, ct);
                    return true;
                }, ct);
            }

            logs.CreateLogger(typeof(AuthEndpoints)).LogWarning("Failed login for {UserId}", user?.Id.ToString() ?? "an unknown e-mail");
            return InvalidCredentials("The e-mail or password is wrong.");
        }

        await locks.SucceededAsync(email!, address);
        var issued = await AuditLog.InTransactionAsync(db, async () =>
        {
            if (user!.LoginSelector is null || !user.LoginSelector.SequenceEqual(selector))
            {
                await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.LoginSelector, selector), ct);
            }

            var now = time.GetUtcNow();
            var issued = await IssueTokensAsync(db, tokens, user, Guid.CreateVersion7(), now, now + settings.Value.SessionLifetime, ct);
            await audit.RecordAsync(db, http, user.TeamId, CogniveClaims.UserActor(user.Id), "auth.login", "user", user.Id, new { }, ct);
            return issued;
        }, ct);
        return TypedResults.Ok(issued);
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(RefreshRequest request, CogniveDbContext db,
        AccessTokens tokens, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var (issued, reused) = await AuditLog.InTransactionAsync(db, async () =>
        {
            var stored = await RefreshTokens.FindAsync(db, request.RefreshToken, ct);
            var user = stored is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == stored.UserId, ct);
            if (stored is null || user is null || user.DisabledAt is not null)
            {
                return ((TokenResponse?)null, false);
            }

            if (await RefreshTokens.TryRotateAsync(db, stored, now, ct))
            {
                return (await IssueTokensAsync(db, tokens, user, stored.FamilyId, now, stored.SessionEndsAt, ct), false);
            }

            // Used before, revoked or expired. A used token coming back means someone else holds a copy: end the login.
            var reused = stored.RotatedAt is not null && stored.RevokedAt is null;
            if (reused)
            {
                await RefreshTokens.RevokeFamilyAsync(db, stored.FamilyId, now, ct);
                await audit.RecordAsync(db, http, user.TeamId, CogniveClaims.UserActor(user.Id), "auth.refresh_reused", "user", user.Id,
                    new { family_revoked = true }, ct);
            }

            return (null, reused);
        }, ct);
        return issued is null
            ? InvalidCredentials(reused
                ? "This refresh token was used before; every token of its login is now revoked. Log in again."
                : "The refresh token is unknown, expired or revoked, or its login reached its absolute lifetime. Log in again.")
            : TypedResults.Ok(issued);
    }

    /// <summary>Revokes the bearer token at once and, when given, the refresh token's whole login.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> LogoutAsync(LogoutRequest? request, ClaimsPrincipal caller,
        CogniveDbContext db, AccessTokens tokens, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        if (CogniveClaims.UserIdOf(caller) is not { } userId)
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/not-a-session", title: "Not a session",
                statusCode: StatusCodes.Status400BadRequest, detail: "Log out with the bearer token of a login; API keys are revoked instead.");
        }

        await AuditLog.InTransactionAsync(db, async () =>
        {
            if (await RefreshTokens.FindAsync(db, request?.RefreshToken, ct) is { } stored && stored.UserId == userId)
            {
                await RefreshTokens.RevokeFamilyAsync(db, stored.FamilyId, time.GetUtcNow(), ct);
            }

            await audit.RecordAsync(db, http, "auth.logout", "user", userId, new { }, ct);
            return true;
        }, ct);
        await tokens.RevokeAsync(caller);
        return TypedResults.NoContent();
    }

    private static Ok<CallerResponse> Me(ClaimsPrincipal caller, ApiRateSubjects rates) => TypedResults.Ok(new CallerResponse(
        CogniveClaims.TeamIdOf(caller), CogniveClaims.UserIdOf(caller), caller.FindFirstValue(CogniveClaims.Email),
        caller.FindFirstValue(CogniveClaims.Role), caller.FindFirstValue(CogniveClaims.KeyPrefix), CogniveClaims.PermissionsOf(caller),
        rates.LimitOf(caller), caller.HasClaim(CogniveClaims.InstallationAdmin, "true") && caller.HasClaim(CogniveClaims.Permission, Permissions.Admin)));

    private static async Task<TokenResponse> IssueTokensAsync(CogniveDbContext db, AccessTokens tokens, User user, Guid familyId,
        DateTimeOffset now, DateTimeOffset sessionEndsAt, CancellationToken ct)
    {
        var installationAdmin = await db.Teams.Where(t => t.Id == user.TeamId).Select(t => t.IsAdmin).SingleAsync(ct);
        var (access, expiresIn) = tokens.Issue(user.Id, user.Email, user.TeamId, user.Role, installationAdmin);
        var (refresh, refreshExpiresAt) = await RefreshTokens.IssueAsync(db, user.Id, familyId, now, sessionEndsAt, ct);
        return new TokenResponse(access, "Bearer", expiresIn, refresh, refreshExpiresAt);
    }

    private static ProblemHttpResult InvalidCredentials(string detail) => SignInProblems.InvalidCredentials(detail);

    internal static UserResponse ToResponse(User user) => new(user.Id, user.TeamId, user.Email, user.Role, user.CreatedAt, user.DisabledAt);
}
