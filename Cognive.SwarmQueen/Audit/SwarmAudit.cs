using System.Diagnostics;
using Cognive.Data.Audit;
using Npgsql;

namespace Cognive.SwarmQueen.Audit;

/// <summary>
/// The queen's entries in a team's append-only audit trail (its own decisions as actor <c>swarm-queen</c>), linked and
/// sealed by <see cref="AuditAppender"/> exactly as the API's: in the caller's transaction, so a decision commits only with
/// its record.
/// </summary>
public static class SwarmAudit
{
    public const string Actor = "swarm-queen";

    // The queen's stores append through this static entry point from their own transactions; the key it seals with is the
    // process's one audit key, set once at start (UseKey) from Cognive:Audit:SigningKey.
    private static AuditKey? _key;

    public static void UseKey(AuditKey key) => _key = key;

    public static Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid teamId, string actor,
        string action, string targetType, string targetId, object summary, CancellationToken ct) =>
        AuditAppender.AppendAsync(connection, transaction,
            _key ?? throw new InvalidOperationException($"{nameof(SwarmAudit)}.{nameof(UseKey)} was not called: the queen has no audit key."),
            new AuditEntry(teamId, DateTimeOffset.UtcNow, actor, action, targetType, targetId, summary,
                Activity.Current?.TraceId.ToString() ?? "", SourceIp: null), ct);
}
