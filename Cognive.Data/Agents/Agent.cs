using System.Text.Json;

namespace Cognive.Data.Agents;

/// <summary>An AI agent a team registered. Archiving keeps its history; it is never deleted.</summary>
public sealed class Agent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public required string Name { get; set; }

    public required string Framework { get; set; }

    public string? Description { get; set; }

    public JsonDocument? Config { get; set; }

    public AgentStatus Status { get; set; } = AgentStatus.Active;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public enum AgentStatus
{
    Active,
    Archived,
}
