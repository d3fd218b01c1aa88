using System.Buffers;
using Cognive.Data.Audit;

namespace Cognive.ApiService.Audit;

/// <summary>
/// A signed chain head, as published and as a team presents it back to <c>POST /api/v1/audit/verify</c>: hashes and the
/// signature in hex.
/// </summary>
public sealed record AuditCheckpointBody(Guid TeamId, long LastId, string? Hash, long Count, DateTimeOffset CreatedAt, string? Signature)
{
    private const int DigestBytes = 32;

    public static AuditCheckpointBody From(AuditCheckpoint checkpoint) => new(checkpoint.TeamId, checkpoint.LastId,
        Convert.ToHexStringLower(checkpoint.Hash), checkpoint.Count, checkpoint.CreatedAt, Convert.ToHexStringLower(checkpoint.Signature));

    /// <summary>The checkpoint it describes, or the fields that do not describe one.</summary>
    public (AuditCheckpoint? Checkpoint, Dictionary<string, string[]> Errors) Read()
    {
        var errors = new Dictionary<string, string[]>();
        var hash = Digest(errors, "hash", Hash);
        var signature = Digest(errors, "signature", Signature);
        if (LastId <= 0)
        {
            errors["last_id"] = ["last_id is a record id (positive)."];
        }

        if (Count <= 0)
        {
            errors["count"] = ["count is positive."];
        }

        return errors.Count > 0 || hash is null || signature is null
            ? (null, errors)
            : (new AuditCheckpoint { TeamId = TeamId, LastId = LastId, Hash = hash, Count = Count, CreatedAt = CreatedAt, Signature = signature },
                errors);
    }

    private static byte[]? Digest(Dictionary<string, string[]> errors, string field, string? hex)
    {
        var bytes = new byte[DigestBytes];
        if (hex is { Length: DigestBytes * 2 } && Convert.FromHexString(hex, bytes, out _, out _) == OperationStatus.Done)
        {
            return bytes;
        }

        errors[field] = [$"{field} is {DigestBytes} bytes in hex."];
        return null;
    }
}

public sealed record AuditCheckpointPage(IReadOnlyList<AuditCheckpointBody> Items, long? NextCursor);
