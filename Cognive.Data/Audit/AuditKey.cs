using System.Security.Cryptography;
using System.Text;

namespace Cognive.Data.Audit;

/// <summary>
/// The secret that seals audit records and signs checkpoints. It lives outside the database (the app model's secret
/// parameter <c>audit-signing-key</c>, a Kubernetes Secret when published), so a database superuser can change rows but
/// cannot make their seals hold again. Two keys are derived from it (HKDF-SHA256), one per use, so a record's seal can
/// never pass for a checkpoint's signature.
/// </summary>
public sealed class AuditKey
{
    public const string Setting = "Cognive:Audit:SigningKey";

    private AuditKey(string secret)
    {
        var material = Encoding.UTF8.GetBytes(secret);
        SealKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, [], "cognive audit record seal v2"u8.ToArray());
        CheckpointKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, [], "cognive audit checkpoint v1"u8.ToArray());
    }

    internal byte[] SealKey { get; }

    internal byte[] CheckpointKey { get; }

    /// <summary>The key from its setting's value; at least 32 characters, or the service does not start.</summary>
    public static AuditKey From(string? secret) => secret is { Length: >= 32 }
        ? new AuditKey(secret)
        : throw new InvalidOperationException($"{Setting} must be set to at least 32 characters.");
}
