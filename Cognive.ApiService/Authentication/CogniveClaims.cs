using System.Globalization;
using System.Security.Claims;

namespace Cognive.ApiService.Authentication;

/// <summary>The caller, as the endpoints see it: every lookup is scoped to <see cref="TeamIdOf"/>.</summary>
public static class CogniveClaims
{
    public const string TeamId = "cognive:team_id";
    public const string KeyPrefix = "cognive:key_prefix";
    /// <summary>The caller belongs to the installation's admin team (which manages teams and prices).</summary>
    public const string InstallationAdmin = "cognive:installation_admin";
    public const string Permission = "cognive:permission";
    public const string RateLimit = "cognive:rate_limit_per_minute";
    public const string UserId = "sub";
    public const string Email = "email";
    public const string Role = "role";
    public const string TokenId = "jti";
    public const string IssuedAtMs = "cognive:iat_ms";
    /// <summary>When the calling API key expires (ISO-8601); absent for keys that never do.</summary>
    public const string KeyExpiresAt = "cognive:key_expires_at";
    public const string InstallationAdminPolicy = "installation-admin";

    public static Guid TeamIdOf(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(TeamId)!);

    public static Guid? UserIdOf(ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue(UserId), out var id) ? id : null;

    /// <summary>When the calling key expires; null for people and for keys that never expire.</summary>
    public static DateTimeOffset? KeyExpiresAtOf(ClaimsPrincipal user) =>
        DateTimeOffset.TryParse(user.FindFirstValue(KeyExpiresAt), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at : null;

    public static bool Has(ClaimsPrincipal user, string permission) => user.HasClaim(Permission, permission);

    public static IReadOnlyList<string> PermissionsOf(ClaimsPrincipal user) =>
        user.FindAll(Permission).Select(c => c.Value).ToList();

    /// <summary>Who acted, for the audit trail: a person by id, a key by its public prefix; never a secret.</summary>
    public static string ActorOf(ClaimsPrincipal user) =>
        user.FindFirstValue(KeyPrefix) is { } prefix ? $"key:{prefix}" : UserActor(UserIdOf(user)!.Value);

    public static string UserActor(Guid userId) => $"user:{userId}";

    /// <summary>What rate limits count the caller by.</summary>
    public static string? RateSubjectOf(ClaimsPrincipal user) =>
        user.FindFirstValue(KeyPrefix) is { } prefix ? $"key:{prefix}" : user.FindFirstValue(UserId) is { } id ? $"user:{id}" : null;
}
