namespace Cognive.Data.Audit;

/// <summary>
/// One mutating call, as the audit trail keeps it: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and
/// chained per team, each record carrying the seal of its team's previous one (see <see cref="AuditChain"/>).
/// </summary>
public sealed class AuditRecord
{
    public long Id { get; init; }

    public Guid TeamId { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>Who acted: <c>key:&lt;prefix&gt;</c> for an API key. Never a secret.</summary>
    public required string Actor { get; init; }

    public required string Action { get; init; }

    public required string TargetType { get; init; }

    public required string TargetId { get; init; }

    /// <summary>What changed, as JSON text kept byte for byte (the hash covers it): before and after, no secrets.</summary>
    public required string Summary { get; init; }

    public required string RequestId { get; init; }

    public string? SourceIp { get; init; }

    public required byte[] PreviousHash { get; init; }

    public AuditSealVersion SealVersion { get; init; } = AuditSealVersion.HmacSha256;

    /// <summary>The record's seal (named hash since its first version): set once, by <see cref="AuditChain.Seal"/>, before the record is stored.</summary>
    public byte[] Hash { get; set; } = [];
}
