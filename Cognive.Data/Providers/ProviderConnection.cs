namespace Cognive.Data.Providers;

/// <summary>
/// An upstream a team's gateway calls go to: a name callers pick it by (<c>primary/gpt-4o-mini</c>), the price table's
/// provider its calls are priced as, the base URL of its OpenAI-compatible API and its key, stored only encrypted
/// (<see cref="ProviderKeyCipher"/>). One connection per team may be the default, for models named without a connection.
/// </summary>
public sealed class ProviderConnection : ISoftDeleted
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public required string Name { get; set; }

    public required string Provider { get; set; }

    public required string BaseUrl { get; set; }

    /// <summary>AES-GCM: nonce, tag and ciphertext of the upstream key, bound to this connection's id.</summary>
    public required byte[] EncryptedApiKey { get; set; }

    public bool IsDefault { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }
}
