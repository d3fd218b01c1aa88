namespace Cognive.Web.Components.Pages.Policies;

/// <summary>A policy as <c>GET /api/v1/policies</c> lists it, with its violations.</summary>
public sealed record PolicyRow(Guid Id, string Name, Guid? AgentId, string[]? AllowedProviders, string[]? AllowedModels, int? MaxTokensPerCall,
    int? MaxCallsPerMinute, int? ActiveFromHour, int? ActiveToHour, long Violations, DateTimeOffset CreatedAt);

/// <summary>The body of <c>POST /api/v1/policies</c> and <c>PUT /api/v1/policies/{id}</c>: a whole policy.</summary>
public sealed record PolicyRequest(string Name, Guid? AgentId, string[]? AllowedProviders, string[]? AllowedModels, int? MaxTokensPerCall,
    int? MaxCallsPerMinute, int? ActiveFromHour, int? ActiveToHour);

public sealed record AgentChoice(Guid AgentId, string Name);

public sealed record AgentChoices(IReadOnlyList<AgentChoice> Items, Guid? NextCursor);

/// <summary>
/// The create/edit form: lists are typed as comma-separated names, a blank field is no rule, and "every agent" is the
/// empty agent; <see cref="ToRequest"/> gives the API's body.
/// </summary>
public sealed class PolicyForm
{
    public Guid? Id { get; private init; }

    public string Name { get; set; } = "";

    public string AgentId { get; set; } = "";

    public string AllowedProviders { get; set; } = "";

    public string AllowedModels { get; set; } = "";

    public int? MaxTokensPerCall { get; set; }

    public int? MaxCallsPerMinute { get; set; }

    public int? ActiveFromHour { get; set; }

    public int? ActiveToHour { get; set; }

    public static PolicyForm From(PolicyRow policy) => new()
    {
        Id = policy.Id, Name = policy.Name, AgentId = policy.AgentId?.ToString() ?? "",
        AllowedProviders = string.Join(", ", policy.AllowedProviders ?? []), AllowedModels = string.Join(", ", policy.AllowedModels ?? []),
        MaxTokensPerCall = policy.MaxTokensPerCall, MaxCallsPerMinute = policy.MaxCallsPerMinute,
        ActiveFromHour = policy.ActiveFromHour, ActiveToHour = policy.ActiveToHour,
    };

    public PolicyRequest ToRequest() => new(Name.Trim(), Guid.TryParse(AgentId, out var agent) ? agent : null, Names(AllowedProviders),
        Names(AllowedModels), MaxTokensPerCall, MaxCallsPerMinute, ActiveFromHour, ActiveToHour);

    /// <summary>"openai, anthropic" → ["openai", "anthropic"]; blank → no rule (null), not an empty list the API refuses.</summary>
    public static string[]? Names(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } names ? names : null;

    /// <summary>The rules in a few words, for the list.</summary>
    public static string Describe(PolicyRow policy)
    {
        var rules = new List<string>();
        if (policy.AllowedProviders is { Length: > 0 } providers)
        {
            rules.Add($"providers {string.Join(", ", providers)}");
        }

        if (policy.AllowedModels is { Length: > 0 } models)
        {
            rules.Add($"models {string.Join(", ", models)}");
        }

        if (policy.MaxTokensPerCall is { } tokens)
        {
            rules.Add($"≤ {tokens:N0} tokens a call");
        }

        if (policy.MaxCallsPerMinute is { } calls)
        {
            rules.Add($"≤ {calls:N0} calls a minute");
        }

        if (policy.ActiveFromHour is { } from && policy.ActiveToHour is { } to)
        {
            rules.Add($"{from:00}:00–{to:00}:00 UTC");
        }

        return string.Join("; ", rules);
    }
}
