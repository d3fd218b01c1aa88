namespace Cognive.Data.ApiKeys;

/// <summary>
/// An API key of a team. Only the SHA-256 hash of the secret part is stored; the non-secret prefix finds the row.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public required string Name { get; set; }

    /// <summary>The first characters of the key, shown in listings and used to look it up.</summary>
    public required string Prefix { get; init; }

    public required byte[] SecretHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Requests per minute this key may make; null for the installation's default.</summary>
    public int? RateLimitPerMinute { get; init; }

    /// <summary>The permissions the key carries (<see cref="Access.Permissions"/>).</summary>
    public string[] Scopes { get; init; } = [];

    public DateTimeOffset? ExpiresAt { get; init; }
}
