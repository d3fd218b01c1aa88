using System.Security.Cryptography;
using System.Text;

namespace Cognive.Data.Providers;

/// <summary>
/// Encrypts the upstream keys of provider connections with AES-256-GCM under a key that lives outside the database
/// (the AppHost's secret parameter <c>provider-key-encryption-key</c>, <see cref="Setting"/>): a copy of the database alone
/// yields no usable key. Each ciphertext is bound to its connection's id, so it cannot be moved onto another connection.
/// </summary>
public sealed class ProviderKeyCipher
{
    public const string Setting = "Cognive:Providers:EncryptionKey";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    private ProviderKeyCipher(byte[] key) => _key = key;

    /// <summary>The AES key is derived from the secret with HKDF, so any long random secret (as the AppHost generates) will do.</summary>
    public static ProviderKeyCipher From(string? secret) => string.IsNullOrWhiteSpace(secret) || secret.Length < 16
        ? throw new InvalidOperationException($"{Setting} is missing or shorter than 16 characters: provider keys cannot be encrypted.")
        : new(HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: "cognive provider keys v1"u8.ToArray()));

    public byte[] Encrypt(Guid connectionId, string apiKey)
    {
        var plain = Encoding.UTF8.GetBytes(apiKey);
        var sealedKey = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedKey.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedKey.AsSpan(NonceSize + TagSize), sealedKey.AsSpan(NonceSize, TagSize), connectionId.ToByteArray());
        return sealedKey;
    }

    /// <exception cref="CryptographicException">The ciphertext was changed, moved to another connection, or sealed under another key.</exception>
    public string Decrypt(Guid connectionId, byte[] sealedKey)
    {
        var plain = new byte[sealedKey.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedKey.AsSpan(0, NonceSize), sealedKey.AsSpan(NonceSize + TagSize), sealedKey.AsSpan(NonceSize, TagSize), plain,
            connectionId.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }
}
