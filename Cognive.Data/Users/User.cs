namespace Cognive.Data.Users;

/// <summary>A person in a team. The password is kept only as a slow, salted hash.</summary>
public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    /// <summary>Lower-cased; unique across the installation, so a login names one user.</summary>
    public required string Email { get; init; }

    public required string PasswordHash { get; set; }

    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}
