namespace Cognive.Data.Swarm;

/// <summary>A team's agent kind that crash-looped: quarantined, no recovery and no new instances until <see cref="OpenUntil"/>.</summary>
public sealed class SwarmCircuit
{
    public Guid TeamId { get; init; }

    public required string Kind { get; init; }

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset OpenUntil { get; set; }
}
