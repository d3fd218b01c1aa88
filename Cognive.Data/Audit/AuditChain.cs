using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cognive.Data.Audit;

/// <summary>
/// The hash chain of a team's audit records: each hash covers the previous hash and every field of the record, so
/// changing, removing or reordering a record breaks the chain at that record.
/// </summary>
public static class AuditChain
{
    /// <summary>
    /// The advisory lock (<c>pg_advisory_xact_lock(hashtextextended(key, 0))</c>) every writer of a team's records takes
    /// before reading the previous hash: the API and the Swarm Queen append to the same chains.
    /// </summary>
    public static string LockKey(Guid teamId) => $"cognive_audit:{teamId:N}";

    /// <summary>The previous hash of a team's first record.</summary>
    public static readonly byte[] Genesis = new byte[32];

    /// <summary>PostgreSQL keeps microseconds; times are cut to that before hashing so a stored record hashes the same.</summary>
    public static DateTimeOffset StoredPrecision(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>What the record's hash should be, from its previous hash and every field.</summary>
    public static byte[] HashOf(AuditRecord record)
    {
        var fields = string.Join('\n',
            Convert.ToHexString(record.PreviousHash), record.TeamId.ToString("N"),
            record.OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture), record.Actor, record.Action, record.TargetType,
            record.TargetId, record.Summary, record.RequestId, record.SourceIp ?? "");
        return SHA256.HashData(Encoding.UTF8.GetBytes(fields));
    }

    public static AuditRecord Seal(AuditRecord record)
    {
        record.Hash = HashOf(record);
        return record;
    }

    public const string AppendOnlySql = """
        CREATE FUNCTION cognive_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_records is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
            FOR EACH ROW EXECUTE FUNCTION cognive_audit_append_only();
        CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
            FOR EACH STATEMENT EXECUTE FUNCTION cognive_audit_append_only();
        """;

    public const string DropAppendOnlySql = """
        DROP TRIGGER audit_records_no_truncate ON audit_records;
        DROP TRIGGER audit_records_append_only ON audit_records;
        DROP FUNCTION cognive_audit_append_only();
        """;
}
