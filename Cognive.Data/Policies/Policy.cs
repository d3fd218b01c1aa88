namespace Cognive.Data.Policies;

/// <summary>
/// Rules a team sets for its agents (or one agent): which providers and models they may call, how large a call may
/// be, how many calls a minute, and the hours of the day (UTC) they may run. A null rule does not restrict.
/// </summary>
public sealed class Policy : ISoftDeleted
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public Guid? AgentId { get; set; }

    public required string Name { get; set; }

    public string[]? AllowedProviders { get; set; }

    public string[]? AllowedModels { get; set; }

    /// <summary>Input plus output tokens of one call.</summary>
    public int? MaxTokensPerCall { get; set; }

    public int? MaxCallsPerMinute { get; set; }

    /// <summary>The window [from, to) in whole UTC hours; it may wrap midnight (22 → 6).</summary>
    public int? ActiveFromHour { get; set; }

    public int? ActiveToHour { get; set; }

    public long Violations { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; set; }
}
