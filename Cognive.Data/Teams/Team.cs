namespace Cognive.Data.Teams;

/// <summary>A tenant: every object belongs to one team and is visible to that team only.</summary>
public sealed class Team
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    /// <summary>Administrators manage teams and prices across the installation.</summary>
    public bool IsAdmin { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
