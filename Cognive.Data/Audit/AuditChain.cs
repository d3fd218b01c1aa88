using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cognive.Data.Audit;

/// <summary>
/// The chain of a team's audit records: each record's seal covers the previous record's seal and every field, so changing,
/// removing or reordering a record breaks the chain at that record. Records are sealed with a keyed MAC
/// (<see cref="AuditSealVersion.HmacSha256"/>) whose key is not in the database, so a superuser cannot reseal what they change.
/// </summary>
public static class AuditChain
{
    /// <summary>
    /// The advisory lock (<c>pg_advisory_xact_lock(hashtextextended(key, 0))</c>) every writer of a team's records (and of
    /// its checkpoints) takes before reading the previous seal: the API and the Swarm Queen append to the same chains.
    /// </summary>
    public static string LockKey(Guid teamId) => $"cognive_audit:{teamId:N}";

    /// <summary>The previous hash of a team's first record.</summary>
    public static readonly byte[] Genesis = new byte[32];

    /// <summary>PostgreSQL keeps microseconds; times are cut to that before sealing so a stored record seals the same.</summary>
    public static DateTimeOffset StoredPrecision(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>The seal a record should carry, by the version it was sealed with.</summary>
    public static byte[] SealOf(AuditRecord record, AuditKey key) => record.SealVersion switch
    {
        AuditSealVersion.HmacSha256 => HMACSHA256.HashData(key.SealKey, new SealEncoding((byte)AuditSealVersion.HmacSha256)
            .Field(record.PreviousHash).Field(record.TeamId).Field(record.OccurredAt).Field(record.Actor).Field(record.Action)
            .Field(record.TargetType).Field(record.TargetId).Field(record.Summary).Field(record.RequestId).Field(record.SourceIp)
            .Bytes),
        AuditSealVersion.Sha256 => Sha256Of(record),
        _ => throw new ArgumentOutOfRangeException(nameof(record), record.SealVersion, "Unknown audit seal version"),
    };

    /// <summary>Whether the record's stored seal is the one its fields and link call for.</summary>
    public static bool Holds(AuditRecord record, AuditKey key) =>
        Enum.IsDefined(record.SealVersion) && CryptographicOperations.FixedTimeEquals(SealOf(record, key), record.Hash);

    public static AuditRecord Seal(AuditRecord record, AuditKey key)
    {
        record.Hash = SealOf(record, key);
        return record;
    }

    /// <summary>The unkeyed seal of records written before the audit key existed; kept only to verify them.</summary>
    private static byte[] Sha256Of(AuditRecord record)
    {
        var fields = string.Join('\n',
            Convert.ToHexString(record.PreviousHash), record.TeamId.ToString("N"),
            record.OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture), record.Actor, record.Action, record.TargetType,
            record.TargetId, record.Summary, record.RequestId, record.SourceIp ?? "");
        return SHA256.HashData(Encoding.UTF8.GetBytes(fields));
    }
}
