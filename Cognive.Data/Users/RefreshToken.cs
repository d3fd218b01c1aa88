namespace Cognive.Data.Users;

/// <summary>
/// One refresh token of a login. Each refresh rotates it: the old one is marked rotated and a new one joins the same
/// family. Presenting a rotated token again means it was stolen or replayed, and revokes the whole family.
/// Only the SHA-256 hash of the token is stored.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public Guid FamilyId { get; init; }

    public required byte[] TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The login's absolute end: no token of the family outlives it, however often it is refreshed.</summary>
    public DateTimeOffset SessionEndsAt { get; init; }

    public DateTimeOffset? RotatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
