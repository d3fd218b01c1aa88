using System.Security.Claims;

namespace Cognive.Web.SignIn;

/// <summary>
/// Who is signed in and what they may do, from the API's <c>/auth/me</c> at sign-in. Pages hide what the person may not
/// do (a viewer sees no write controls); the API refuses it anyway.
/// </summary>
public sealed record ConsoleCaller(string? SessionId, string Email, string Role, Guid TeamId, Guid? UserId, IReadOnlySet<string> Permissions)
{
    public const string SessionClaim = "cognive:console_session";
    public const string TeamClaim = "cognive:team_id";
    public const string UserClaim = "sub";
    public const string RoleClaim = "role";
    public const string PermissionClaim = "cognive:permission";

    public static readonly ConsoleCaller Nobody = new(null, "", "", Guid.Empty, null, new HashSet<string>());

    public bool Can(string permission) => Permissions.Contains(permission);

    public static ConsoleCaller From(ClaimsPrincipal user) => user.Identity?.IsAuthenticated != true
        ? Nobody
        : new(user.FindFirstValue(SessionClaim), user.FindFirstValue(ClaimTypes.Name) ?? "", user.FindFirstValue(RoleClaim) ?? "",
            Guid.TryParse(user.FindFirstValue(TeamClaim), out var team) ? team : Guid.Empty,
            Guid.TryParse(user.FindFirstValue(UserClaim), out var id) ? id : null,
            user.FindAll(PermissionClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));

    public static ClaimsPrincipal Principal(string sessionId, AuthApi.Me me, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(SessionClaim, sessionId),
            new Claim(ClaimTypes.Name, me.Email ?? ""),
            new Claim(RoleClaim, me.Role ?? ""),
            new Claim(TeamClaim, me.TeamId.ToString()),
            new Claim(UserClaim, me.UserId?.ToString() ?? ""),
            .. me.Permissions.Select(p => new Claim(PermissionClaim, p)),
        ], scheme, ClaimTypes.Name, RoleClaim));
}

/// <summary>The permissions the API names (Cognive.Data's <c>Permissions</c>); the console talks to the API only, so it names them itself.</summary>
public static class Permission
{
    public const string AgentRead = "agent:read";
    public const string AgentWrite = "agent:write";
    public const string CostRead = "cost:read";
    public const string BudgetWrite = "budget:write";
    public const string PolicyWrite = "policy:write";
    public const string KeyWrite = "key:write";
    public const string AuditRead = "audit:read";
    public const string Admin = "admin";
}
