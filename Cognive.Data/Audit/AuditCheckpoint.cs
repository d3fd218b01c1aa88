using System.Security.Cryptography;

namespace Cognive.Data.Audit;

/// <summary>
/// A signed head of a team's chain: its last record's id and seal, how many records lead up to it, and when it was taken.
/// Published outside PostgreSQL (the log, <c>GET /api/v1/audit/checkpoints</c> for teams to save) so that cutting the tail
/// of a chain, which leaves every remaining seal intact, is still found against a checkpoint taken before the cut.
/// Signed with a key derived from the audit key: nobody without it can make a checkpoint Cognive accepts.
/// </summary>
public sealed class AuditCheckpoint
{
    private const byte SignatureVersion = 1;

    public long Id { get; init; }

    public Guid TeamId { get; init; }

    /// <summary>The id of the newest record the checkpoint covers.</summary>
    public long LastId { get; init; }

    /// <summary>That record's seal.</summary>
    public required byte[] Hash { get; init; }

    /// <summary>How many records the team's chain holds up to and including <see cref="LastId"/>.</summary>
    public long Count { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public byte[] Signature { get; set; } = [];

    public static AuditCheckpoint Sign(AuditKey key, Guid teamId, long lastId, byte[] hash, long count, DateTimeOffset createdAt)
    {
        var checkpoint = new AuditCheckpoint
        {
            TeamId = teamId, LastId = lastId, Hash = hash, Count = count, CreatedAt = AuditChain.StoredPrecision(createdAt),
        };
        checkpoint.Signature = checkpoint.SignatureFor(key, teamId);
        return checkpoint;
    }

    /// <summary>
    /// Whether the checkpoint was signed by Cognive for <paramref name="teamId"/> (the caller's team, whatever team the
    /// checkpoint names: one team's checkpoint never vouches for another's chain).
    /// </summary>
    public bool IsSignedFor(AuditKey key, Guid teamId) =>
        CryptographicOperations.FixedTimeEquals(SignatureFor(key, teamId), Signature);

    private byte[] SignatureFor(AuditKey key, Guid teamId) => HMACSHA256.HashData(key.CheckpointKey,
        new SealEncoding(SignatureVersion).Field(teamId).Field(LastId).Field(Hash).Field(Count).Field(CreatedAt).Bytes);
}
