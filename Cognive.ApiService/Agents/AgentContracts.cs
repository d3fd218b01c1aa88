using System.Text.Json;
using Cognive.ApiService.Validation;
using Cognive.Data.Agents;

namespace Cognive.ApiService.Agents;

public sealed record RegisterAgentRequest(string? Name, string? Framework, string? Description, JsonElement? Config);

/// <summary>A partial update: a field left out (null) stays as it is.</summary>
public sealed record UpdateAgentRequest(string? Name, string? Framework, string? Description, JsonElement? Config);

public sealed record AgentResponse(Guid AgentId, string Name, string Framework, string? Description, JsonElement? Config,
    string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AgentResponse From(Agent agent) => new(agent.Id, agent.Name, agent.Framework, agent.Description,
        agent.Config?.RootElement.Clone(), agent.Status.ToString().ToLowerInvariant(), agent.CreatedAt, agent.UpdatedAt);
}

public sealed record AgentPage(IReadOnlyList<AgentResponse> Items, Guid? NextCursor);

/// <summary>What an agent's fields may hold; every violation is reported at once.</summary>
internal static class AgentRules
{
    public const int MaxNameLength = 200;
    public const int MaxFrameworkLength = 100;
    public const int MaxDescriptionLength = 2000;
    public const int MaxConfigBytes = 64 * 1024;

    public static Dictionary<string, string[]>? Validate(string? name, string? framework, string? description,
        JsonElement? config, bool partial)
    {
        var errors = new Dictionary<string, string[]>();
        FieldRules.Text(errors, "name", name, MaxNameLength, required: !partial);
        FieldRules.Text(errors, "framework", framework, MaxFrameworkLength, required: !partial);
        FieldRules.Text(errors, "description", description, MaxDescriptionLength, required: false, allowBlank: true);
        FieldRules.JsonObject(errors, "config", config, MaxConfigBytes);

        return FieldRules.ErrorsOrNull(errors);
    }
}
