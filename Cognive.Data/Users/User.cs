namespace Cognive.Data.Users;

/// <summary>A person in a team. The password is kept only as a slow, salted hash.</summary>
public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    /// <summary>
    /// Lower-cased; unique within a team. Another team may register the same address (so registering never tells whether
    /// it is in use elsewhere); a login picks among them by <see cref="LoginSelector"/>.
    /// </summary>
    public required string Email { get; init; }

    public required string PasswordHash { get; set; }

    /// <summary>
    /// A keyed MAC of e-mail and password (its key lives outside the database), so a login finds which of the accounts
    /// holding one e-mail the password opens while checking one slow hash only. Null for accounts made before it existed.
    /// </summary>
    public byte[]? LoginSelector { get; set; }

    /// <summary>When set, the person cannot log in or refresh, and their tokens are refused.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}
