using System.Globalization;

namespace Cognive.Web.Components.Pages.Settings;

public sealed record ApiKeyRow(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt,
    int? RateLimitPerMinute, string[] Scopes, DateTimeOffset? ExpiresAt)
{
    public string Status(DateTimeOffset now) => RevokedAt is not null ? "revoked" : ExpiresAt <= now ? "expired" : "active";
}

/// <summary>A new key as <c>POST /api/v1/api-keys</c> answers it: <see cref="Key"/> is shown once, here, and never again.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, string Key, string[] Scopes, DateTimeOffset? ExpiresAt);

public sealed record ApiKeyRequest(string Name, string[] Scopes, DateTimeOffset? ExpiresAt, int? RateLimitPerMinute);

public sealed record PersonRow(Guid Id, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt);

public sealed record InviteRequest(string Email, string Password, string Role);

public sealed record Price(string Provider, string Model, decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion,
    DateTimeOffset EffectiveFrom, string Source);

public sealed record PriceRequest(string Provider, string Model, decimal? InputPerMillion, decimal? OutputPerMillion, decimal? CachedInputPerMillion,
    DateTimeOffset? EffectiveFrom, string? Source);

/// <summary>What <c>/auth/me</c> says of the caller that the settings page needs beyond the role.</summary>
public sealed record CallerFacts(bool InstallationAdmin);

public static class Roles
{
    public static readonly string[] All = ["viewer", "developer", "team_lead", "admin"];
}

/// <summary>The new-key form. Without a choice a key gets what an agent needs (of what the creator holds), as the API gives it.</summary>
public sealed class ApiKeyForm
{
    public static readonly string[] AgentScopes = ["agent:read", "agent:write", "telemetry:write", "cost:read"];

    public string Name { get; set; } = "";

    public HashSet<string> Scopes { get; } = new(StringComparer.Ordinal);

    /// <summary>UTC, as a datetime-local input gives it (<c>yyyy-MM-ddTHH:mm</c>); blank: never expires.</summary>
    public string ExpiresAt { get; set; } = "";

    public int? RateLimitPerMinute { get; set; }

    public static ApiKeyForm For(IEnumerable<string> callerPermissions)
    {
        var form = new ApiKeyForm();
        form.Scopes.UnionWith(AgentScopes.Intersect(callerPermissions));
        return form;
    }

    public void Toggle(string scope, bool on)
    {
        if (on)
        {
            Scopes.Add(scope);
        }
        else
        {
            Scopes.Remove(scope);
        }
    }

    public ApiKeyRequest ToRequest() => new(Name.Trim(), [.. Scopes.Order(StringComparer.Ordinal)], Times.Utc(ExpiresAt), RateLimitPerMinute);
}

public sealed class InviteForm
{
    public string Email { get; set; } = "";

    public string Password { get; set; } = "";

    public string Role { get; set; } = "viewer";

    public InviteRequest ToRequest() => new(Email.Trim(), Password, Role);
}

public sealed class PriceForm
{
    public string Provider { get; set; } = "";

    public string Model { get; set; } = "";

    public decimal? InputPerMillion { get; set; }

    public decimal? OutputPerMillion { get; set; }

    public decimal? CachedInputPerMillion { get; set; }

    /// <summary>UTC; blank: now.</summary>
    public string EffectiveFrom { get; set; } = "";

    public string Source { get; set; } = "";

    public PriceRequest ToRequest() => new(Provider.Trim(), Model.Trim(), InputPerMillion, OutputPerMillion, CachedInputPerMillion,
        Times.Utc(EffectiveFrom), string.IsNullOrWhiteSpace(Source) ? null : Source.Trim());
}

public static class Times
{
    /// <summary>A datetime-local value read as UTC; blank or unreadable: none.</summary>
    public static DateTimeOffset? Utc(string typed) =>
        DateTimeOffset.TryParse(typed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUniversalTime() : null;
}
