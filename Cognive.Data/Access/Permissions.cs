namespace Cognive.Data.Access;

/// <summary>
/// What a caller may do. People get the permissions of their role; API keys carry a subset of their creator's
/// (their scopes). Every endpoint names the one permission it needs.
/// </summary>
public static class Permissions
{
    public const string AgentRead = "agent:read";
    public const string AgentWrite = "agent:write";
    /// <summary>Reporting runs and LLM calls and asking for budget reservations: what an agent's own key needs.</summary>
    public const string TelemetryWrite = "telemetry:write";
    public const string CostRead = "cost:read";
    public const string BudgetWrite = "budget:write";
    public const string PolicyWrite = "policy:write";
    /// <summary>Managing the team's provider connections (the gateway's upstreams and their keys).</summary>
    public const string ProviderWrite = "provider:write";
    public const string KeyWrite = "key:write";
    public const string AuditRead = "audit:read";
    /// <summary>Managing the team's people. In the installation's admin team it also manages teams and prices.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All =
        [AgentRead, AgentWrite, TelemetryWrite, CostRead, BudgetWrite, PolicyWrite, ProviderWrite, KeyWrite, AuditRead, Admin];

    /// <summary>What a key made without scopes gets (of what its creator holds): an agent's needs, nothing administrative.</summary>
    public static readonly IReadOnlyList<string> AgentDefaults = [AgentRead, AgentWrite, TelemetryWrite, CostRead];

    public static bool IsKnown(string permission) => All.Contains(permission);
}

/// <summary>The roles of people in a team; each includes the one before it.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Developer = "developer";
    public const string TeamLead = "team_lead";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Developer, TeamLead, Admin];

    private static readonly string[] ViewerPermissions = [Permissions.AgentRead, Permissions.CostRead];
    private static readonly string[] DeveloperPermissions = [.. ViewerPermissions, Permissions.AgentWrite, Permissions.TelemetryWrite];
    private static readonly string[] TeamLeadPermissions =
        [.. DeveloperPermissions, Permissions.BudgetWrite, Permissions.PolicyWrite, Permissions.ProviderWrite, Permissions.KeyWrite,
            Permissions.AuditRead];

    public static IReadOnlyList<string> PermissionsOf(string role) => role switch
    {
        Viewer => ViewerPermissions,
        Developer => DeveloperPermissions,
        TeamLead => TeamLeadPermissions,
        Admin => Permissions.All,
        _ => [],
    };
}
