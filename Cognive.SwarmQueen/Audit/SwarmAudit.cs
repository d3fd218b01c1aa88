using System.Diagnostics;
using System.Text.Json;
using Cognive.Data.Audit;
using Npgsql;

namespace Cognive.SwarmQueen.Audit;

/// <summary>
/// The queen's entries in a team's append-only audit trail (its own decisions as actor <c>swarm-queen</c>), chained like the API's:
/// appended under the team's advisory lock, in the caller's transaction, so a decision commits only with its record.
/// </summary>
public static class SwarmAudit
{
    public const string Actor = "swarm-queen";
    private static readonly JsonSerializerOptions SummaryJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid teamId, string actor,
        string action, string targetType, string targetId, object summary, CancellationToken ct)
    {
        await using (var lockTeam = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockTeam.Parameters.Add(new() { Value = AuditChain.LockKey(teamId) });
            await lockTeam.ExecuteNonQueryAsync(ct);
        }

        byte[] previous;
        await using (var last = new NpgsqlCommand("SELECT hash FROM audit_records WHERE team_id = $1 ORDER BY id DESC LIMIT 1", connection, transaction))
        {
            last.Parameters.Add(new() { Value = teamId });
            previous = await last.ExecuteScalarAsync(ct) as byte[] ?? AuditChain.Genesis;
        }

        var record = AuditChain.Seal(new AuditRecord
        {
            TeamId = teamId,
            OccurredAt = AuditChain.StoredPrecision(DateTimeOffset.UtcNow),
            Actor = actor,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Summary = JsonSerializer.Serialize(summary, SummaryJson),
            RequestId = Activity.Current?.TraceId.ToString() ?? "",
            PreviousHash = previous,
        });
        await using var insert = new NpgsqlCommand("""
            INSERT INTO audit_records (team_id, occurred_at, actor, action, target_type, target_id, summary, request_id, source_ip,
                                       previous_hash, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)
            """, connection, transaction);
        foreach (var value in new object[] { record.TeamId, record.OccurredAt, record.Actor, record.Action, record.TargetType, record.TargetId,
                     record.Summary, record.RequestId, record.PreviousHash, record.Hash })
        {
            insert.Parameters.Add(new() { Value = value });
        }

        await insert.ExecuteNonQueryAsync(ct);
    }
}
