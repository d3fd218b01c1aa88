namespace Cognive.Data.Audit;

/// <summary>How a record is sealed; stored with it, and covered by the seal of every keyed record.</summary>
public enum AuditSealVersion : short
{
    /// <summary>
    /// Plain SHA-256 over the fields joined with newlines: records written before the audit key existed. Trusted only as
    /// far as a signed checkpoint covers them (see <see cref="AuditVerifier"/>).
    /// </summary>
    Sha256 = 1,

    /// <summary>HMAC-SHA256 with the audit key over a version byte and length-prefixed fields.</summary>
    HmacSha256 = 2,
}
