using System.Text.Json;

namespace Cognive.Data.Audit;

/// <summary>What a service has to say about one change; <see cref="AuditSealer"/> links, seals and stores it.</summary>
/// <param name="Summary">What changed (before and after): names and states, never a secret. Stored as JSON text.</param>
public sealed record AuditEntry(Guid TeamId, DateTimeOffset OccurredAt, string Actor, string Action, string TargetType,
    string TargetId, object Summary, string RequestId, string? SourceIp)
{
    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    internal AuditRecord Link(byte[] previousHash) => new()
    {
        TeamId = TeamId,
        OccurredAt = AuditChain.StoredPrecision(OccurredAt),
        Actor = Actor,
        Action = Action,
        TargetType = TargetType,
        TargetId = TargetId,
        Summary = JsonSerializer.Serialize(Summary, SummaryJson),
        RequestId = RequestId,
        SourceIp = SourceIp,
        PreviousHash = previousHash,
        SealVersion = AuditSealVersion.HmacSha256,
    };
}
