using Cognive.Data;
using Cognive.Data.Audit;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Backups;

/// <summary>
/// Cognive's own checks on a database: what a backup is worth is what a restore of it passes. Run totals and rollups are
/// written in the same transaction as their calls (Workers' CallWriter), so on a consistent copy they agree exactly.
/// </summary>
public static class IntegrityChecks
{
    private static readonly (string Table, string Sql)[] Counts =
    [
        .. new[] { "teams", "api_keys", "agents", "agent_runs", "llm_calls", "cost_rollups", "team_daily_spend", "audit_records", "audit_checkpoints" }
            .Select(table => (table, "SELECT count(*) AS \"Value\" FROM " + table)),
    ];

    // Each check names what disagrees (as the column EF reads, "Value"); an empty answer is a pass. Constants, never input.
    private static readonly (string What, string Sql)[] Agreements =
    [
        ("run totals equal the sum of their calls", """
            SELECT 'run ' || r.id || ': ' || r.calls || ' calls, ' || r.cost || ' USD; its calls: ' || coalesce(s.calls, 0) || ', ' || coalesce(s.cost, 0) AS "Value"
            FROM agent_runs r
            LEFT JOIN (SELECT run_id, count(*) AS calls, coalesce(sum(cost), 0) AS cost, sum(input_tokens) AS input_tokens,
                              sum(output_tokens) AS output_tokens FROM llm_calls GROUP BY run_id) s ON s.run_id = r.id
            WHERE r.calls <> coalesce(s.calls, 0) OR r.cost <> coalesce(s.cost, 0)
               OR r.input_tokens <> coalesce(s.input_tokens, 0) OR r.output_tokens <> coalesce(s.output_tokens, 0)
            LIMIT 10
            """),
        ("cost rollups count every call once", """
            SELECT 'team ' || coalesce(c.team_id, r.team_id) || ': ' || coalesce(c.calls, 0) || ' calls, rollups ' || coalesce(r.calls, 0) AS "Value"
            FROM (SELECT team_id, count(*) AS calls, coalesce(sum(cost), 0) AS cost FROM llm_calls GROUP BY team_id) c
            FULL JOIN (SELECT team_id, sum(calls) AS calls, sum(cost) AS cost FROM cost_rollups GROUP BY team_id) r ON r.team_id = c.team_id
            WHERE coalesce(c.calls, 0) <> coalesce(r.calls, 0) OR coalesce(c.cost, 0) <> coalesce(r.cost, 0)
            LIMIT 10
            """),
        ("daily team spend counts every call once", """
            SELECT 'team ' || coalesce(c.team_id, d.team_id) || ': ' || coalesce(c.calls, 0) || ' calls, daily spend ' || coalesce(d.calls, 0) AS "Value"
            FROM (SELECT team_id, count(*) AS calls FROM llm_calls GROUP BY team_id) c
            FULL JOIN (SELECT team_id, sum(calls) AS calls FROM team_daily_spend GROUP BY team_id) d ON d.team_id = c.team_id
            WHERE coalesce(c.calls, 0) <> coalesce(d.calls, 0)
            LIMIT 10
            """),
        ("every call is stored once", """
            SELECT 'event ' || event_id || ' stored ' || count(*) || ' times' AS "Value" FROM llm_calls GROUP BY team_id, event_id HAVING count(*) > 1 LIMIT 10
            """),
    ];

    public static async Task<IntegrityReport> RunAsync(string connectionString, string? auditSigningKey, CancellationToken ct)
    {
        await using var db = new CogniveDbContext(new DbContextOptionsBuilder<CogniveDbContext>().UseNpgsql(connectionString).Options);
        var failures = new List<string>();

        var counts = new Dictionary<string, long>();
        foreach (var (table, sql) in Counts)
        {
            counts[table] = await db.Database.SqlQueryRaw<long>(sql).SingleAsync(ct);
        }

        foreach (var (what, sql) in Agreements)
        {
            var disagreements = await db.Database.SqlQueryRaw<string>(sql).ToListAsync(ct);
            failures.AddRange(disagreements.Select(d => $"{what}: {d}"));
        }

        var teams = await db.AuditRecords.AsNoTracking().Select(r => r.TeamId).Distinct().ToListAsync(ct);
        if (teams.Count > 0 && string.IsNullOrWhiteSpace(auditSigningKey))
        {
            failures.Add("audit chains: Cognive__Audit__SigningKey is not set, so no chain can be verified");
            return new(counts, 0, failures);
        }

        var key = teams.Count > 0 ? AuditKey.From(auditSigningKey) : null;
        foreach (var team in teams)
        {
            var verification = await AuditVerifier.VerifyAsync(db, key!, team, full: true, ct);
            if (!verification.Intact)
            {
                failures.Add($"audit chain of team {team} is broken at record {verification.FirstBrokenId}: {verification.Reason}");
            }
        }

        return new(counts, teams.Count, failures);
    }
}
