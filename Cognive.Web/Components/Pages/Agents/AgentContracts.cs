namespace Cognive.Web.Components.Pages.Agents;

public sealed record AgentRow(Guid AgentId, string Name, string Framework, string? Description, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record AgentPage(IReadOnlyList<AgentRow> Items, Guid? NextCursor);

/// <summary>What the agent form sends: a new agent, or the fields of an edit (the API leaves its config as it is).</summary>
public sealed record AgentFields(string? Name, string? Framework, string? Description);

public sealed record PolicyRow(Guid Id, string Name, Guid? AgentId, string[]? AllowedProviders, string[]? AllowedModels,
    int? MaxTokensPerCall, int? MaxCallsPerMinute, long Violations);
