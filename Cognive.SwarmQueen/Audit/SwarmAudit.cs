using System.Diagnostics;
using Cognive.Data.Audit;
using Npgsql;

namespace Cognive.SwarmQueen.Audit;

/// <summary>
/// The queen's entries in a team's append-only audit trail (its own decisions as actor <c>swarm-queen</c>, its callers'
/// changes under their names), linked and sealed by <see cref="AuditAppender"/> exactly as the API's: in the caller's
/// transaction, so a change commits only with its record.
/// </summary>
public sealed class SwarmAudit(AuditKey key, TimeProvider time)
{
    public const string Actor = "swarm-queen";

    public Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid teamId, string actor,
        string action, string targetType, string targetId, object summary, CancellationToken ct) =>
        AuditAppender.AppendAsync(connection, transaction, key,
            new AuditEntry(teamId, time.GetUtcNow(), actor, action, targetType, targetId, summary,
                Activity.Current?.TraceId.ToString() ?? "", SourceIp: null), ct);
}
