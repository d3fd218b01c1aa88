using System.Diagnostics;
using Npgsql;

namespace Cognive.Data.Audit;

/// <summary>
/// The one sealer of the audit chains, for the API (through EF's connection) and the Swarm Queen alike: it stamps the
/// time, links the record to its team's chain under the team's advisory lock, seals it with the key, and stores it in the
/// caller's transaction, so a change commits only with its record and appends never race.
/// </summary>
public sealed class AuditSealer(AuditKey key, TimeProvider time)
{
    /// <param name="summary">What changed (before and after): names and states, never a secret.</param>
    /// <param name="requestId">The request the change came with; without one, the current trace.</param>
    /// <param name="sourceIp">The caller's address, where a request brought the change.</param>
    public async Task<AuditRecord> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid teamId, string actor,
        string action, string targetType, string targetId, object summary, CancellationToken ct, string? requestId = null,
        string? sourceIp = null)
    {
        var entry = new AuditEntry(teamId, time.GetUtcNow(), actor, action, targetType, targetId, summary,
            requestId ?? Activity.Current?.TraceId.ToString() ?? "", sourceIp);
        byte[] previous;
        await using (var head = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))") { Parameters = { new() { Value = AuditChain.LockKey(entry.TeamId) } } },
                new("SELECT hash FROM audit_records WHERE team_id = $1 ORDER BY id DESC LIMIT 1") { Parameters = { new() { Value = entry.TeamId } } },
            },
        })
        {
            await using var reader = await head.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            previous = await reader.ReadAsync(ct) ? reader.GetFieldValue<byte[]>(0) : AuditChain.Genesis;
        }

        var record = AuditChain.Seal(entry.Link(previous), key);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO audit_records (team_id, occurred_at, actor, action, target_type, target_id, summary, request_id, source_ip,
                                       previous_hash, seal_version, hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """, connection, transaction);
        foreach (var value in new object?[] { record.TeamId, record.OccurredAt, record.Actor, record.Action, record.TargetType, record.TargetId,
                     record.Summary, record.RequestId, record.SourceIp, record.PreviousHash, (short)record.SealVersion, record.Hash })
        {
            insert.Parameters.Add(value is null
                ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar }
                : new NpgsqlParameter { Value = value });
        }

        await insert.ExecuteNonQueryAsync(ct);
        return record;
    }
}
