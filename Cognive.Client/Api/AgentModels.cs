using System.Text.Json;

namespace Cognive.Client.Api;

/// <summary>An agent as the API describes it.</summary>
public sealed record Agent(Guid AgentId, string Name, string Framework, string? Description, JsonElement? Config, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One page of agents; pass <see cref="NextCursor"/> back for the next.</summary>
public sealed record AgentPage(IReadOnlyList<Agent> Items, Guid? NextCursor);

/// <summary>What registering an agent takes: a name unique in the team and the framework it is built with.</summary>
public sealed record RegisterAgent(string Name, string Framework, string? Description = null, JsonElement? Config = null);

internal sealed record StartRunRequest(Guid AgentId, JsonElement? Metadata);

/// <summary>The API's answer to starting a run.</summary>
public sealed record StartedRun(Guid RunId, Guid AgentId, DateTimeOffset StartedAt);

internal sealed record EndRunRequest(string Status, string? Error);

/// <summary>What a run's stored calls add up to.</summary>
public sealed record RunTotals(long Calls, long InputTokens, long OutputTokens, long CachedInputTokens, decimal Cost, long Errors,
    long UnpricedCalls);

/// <summary>A run as the API describes it.</summary>
public sealed record Run(Guid RunId, Guid AgentId, string Status, string? Error, JsonElement? Metadata, DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt, double DurationSeconds, RunTotals Totals);

/// <summary>One page of an agent's runs, newest first.</summary>
public sealed record RunPage(IReadOnlyList<Run> Items, Guid? NextCursor);

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>The work was done.</summary>
    Succeeded,

    /// <summary>The work failed.</summary>
    Failed,

    /// <summary>The work was stopped before its end.</summary>
    Cancelled,
}
