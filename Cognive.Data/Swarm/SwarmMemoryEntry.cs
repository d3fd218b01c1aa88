using System.Text.Json;

namespace Cognive.Data.Swarm;

/// <summary>
/// One entry of a team's shared swarm memory: versioned (every write raises <see cref="Version"/>, and a write may
/// require the version it read: compare-and-set), optionally expiring, tagged. PostgreSQL holds it; Redis caches it.
/// </summary>
public sealed class SwarmMemoryEntry
{
    public Guid TeamId { get; init; }

    public required string Namespace { get; init; }

    public required string Key { get; init; }

    public required JsonDocument Value { get; set; }

    public long Version { get; set; }

    public string[] Tags { get; set; } = [];

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
