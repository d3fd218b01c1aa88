using System.Text.Json;
using Cognive.Data.Alerts;
using Npgsql;

namespace Cognive.Workers.Alerts;

/// <summary>A claimed delivery: one attempt at posting one alert to one webhook.</summary>
/// <param name="Attempt">This attempt's number; also the claim's fence, so a worker whose claim lapsed cannot record over another's.</param>
/// <param name="Body">The alert as JSON, the same on every attempt and webhook.</param>
public sealed record ClaimedDelivery(Guid Id, int Attempt, Guid WebhookId, string Url, string Secret, bool WebhookDeleted,
    Guid AlertId, Guid TeamId, byte[] Body);

/// <summary>
/// The pending deliveries in PostgreSQL as a work queue shared by every worker. A claim takes due rows with
/// <c>FOR UPDATE SKIP LOCKED</c> (workers never take the same row), counts the attempt and pushes the row's due time
/// past the claim lease in the same statement, so nothing is held open during the HTTP call and a dead worker's claims
/// come due again by themselves.
/// </summary>
public sealed class DeliveryQueue(NpgsqlDataSource db)
{
    /// <summary>The width of <c>alert_deliveries.last_error</c>.</summary>
    private const int MaxErrorLength = 500;

    private const string ClaimSql = """
        WITH busy AS (
            SELECT * FROM unnest($2::uuid[], $3::integer[]) AS b(team_id, in_flight)
        ), due AS (
            SELECT d.id, d.team_id, d.alert_id, d.webhook_id, d.next_attempt_at FROM alert_deliveries d
            WHERE d.status = 'Pending' AND d.next_attempt_at <= now()
              AND d.team_id NOT IN (SELECT team_id FROM busy WHERE in_flight >= $4)
            ORDER BY d.next_attempt_at
            LIMIT $1 * 4
            FOR UPDATE SKIP LOCKED
        ), fair AS (
            SELECT ranked.id, ranked.alert_id, ranked.webhook_id FROM (
                SELECT due.*, row_number() OVER (PARTITION BY due.team_id ORDER BY due.next_attempt_at) AS nth FROM due
            ) ranked
            LEFT JOIN busy ON busy.team_id = ranked.team_id
            WHERE ranked.nth <= $4 - coalesce(busy.in_flight, 0)
            ORDER BY ranked.next_attempt_at
            LIMIT $1
        )
        UPDATE alert_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + $5
        FROM fair JOIN webhooks w ON w.id = fair.webhook_id
            LEFT JOIN budget_alerts a ON a.id = fair.alert_id LEFT JOIN budgets b ON b.id = a.budget_id
            LEFT JOIN swarm_alerts s ON s.id = fair.alert_id
        WHERE d.id = fair.id AND (a.id IS NOT NULL OR s.id IS NOT NULL)
        RETURNING d.id, d.attempts, d.webhook_id, w.url, w.secret, w.deleted_at IS NOT NULL, d.alert_id, d.team_id,
            a.budget_id, b.name, a.threshold, a.spent_usd, a.limit_usd, a.period_start, a.fired_at,
            s.alert, s.kind, s.detail, s.raised_at
        """;

    // A delivery is recorded even over a webhook deletion that raced it: it did arrive.
    private const string DeliveredSql = """
        UPDATE alert_deliveries SET status = 'Delivered', delivered_at = now() WHERE id = $1 AND attempts = $2
        """;

    private const string FailedSql = """
        UPDATE alert_deliveries SET status = $3, last_error = $4, next_attempt_at = now() + $5
        WHERE id = $1 AND attempts = $2 AND status = 'Pending'
        """;

    /// <summary>
    /// Claims up to <paramref name="room"/> due deliveries, the longest due first, taking no team past
    /// <paramref name="perTeam"/> counting what this worker already has in flight for it (<paramref name="inFlight"/>):
    /// a team whose receivers are slow fills its own share, never the others'. Rows are scanned a few times
    /// <paramref name="room"/> deep; a team with many due rows that crowds the scan is excluded by the next claim.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int room, IReadOnlyDictionary<Guid, int> inFlight, int perTeam,
        TimeSpan lease, CancellationToken ct)
    {
        await using var command = db.CreateCommand(ClaimSql);
        command.Parameters.Add(new() { Value = room });
        command.Parameters.Add(new() { Value = inFlight.Keys.ToArray() });
        command.Parameters.Add(new() { Value = inFlight.Values.ToArray() });
        command.Parameters.Add(new() { Value = perTeam });
        command.Parameters.Add(new() { Value = lease });
        var claimed = new List<ClaimedDelivery>();
        var poisoned = new List<(Guid Id, int Attempt, string Error)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                try
                {
                    claimed.Add(Read(reader));
                }
                catch (Exception e) when (e is InvalidCastException or InvalidOperationException or ArgumentException or FormatException)
                {
                    // A row no payload can be made of (data older than today's rules) is given up, not retried forever.
                    poisoned.Add((reader.GetGuid(0), reader.GetInt32(1), $"Not deliverable: {e.Message}"));
                }
            }
        }

        foreach (var (id, attempt, error) in poisoned)
        {
            await RecordFailureAsync(id, attempt, error, retryIn: null, ct);
        }

        return claimed;
    }

    private static ClaimedDelivery Read(NpgsqlDataReader reader)
    {
        var (alertId, teamId) = (reader.GetGuid(6), reader.GetGuid(7));
        var body = reader.IsDBNull(8)
            ? JsonSerializer.SerializeToUtf8Bytes(new SwarmAlertPayload(alertId, AlertTypes.OfSwarm(reader.GetString(15)), teamId,
                reader.GetString(16), reader.GetString(17), reader.GetFieldValue<DateTimeOffset>(18)), WebhookJson.Default.SwarmAlertPayload)
            : JsonSerializer.SerializeToUtf8Bytes(new BudgetAlertPayload(alertId, AlertTypes.BudgetThresholdCrossed, teamId,
                reader.GetGuid(8), reader.GetString(9), reader.GetInt32(10), reader.GetDecimal(11), reader.GetDecimal(12),
                reader.GetFieldValue<DateTimeOffset>(13), reader.GetFieldValue<DateTimeOffset>(14)), WebhookJson.Default.BudgetAlertPayload);
        return new ClaimedDelivery(reader.GetGuid(0), reader.GetInt32(1), reader.GetGuid(2), reader.GetString(3),
            reader.GetString(4), reader.GetBoolean(5), alertId, teamId, body);
    }

    public async Task DeliveredAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        await using var command = db.CreateCommand(DeliveredSql);
        command.Parameters.Add(new() { Value = delivery.Id });
        command.Parameters.Add(new() { Value = delivery.Attempt });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a failed attempt: retried after <paramref name="retryIn"/>, or dead when that is null.</summary>
    public Task FailedAsync(ClaimedDelivery delivery, string error, TimeSpan? retryIn, CancellationToken ct) =>
        RecordFailureAsync(delivery.Id, delivery.Attempt, error, retryIn, ct);

    private async Task RecordFailureAsync(Guid id, int attempt, string error, TimeSpan? retryIn, CancellationToken ct)
    {
        await using var command = db.CreateCommand(FailedSql);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = attempt });
        command.Parameters.Add(new() { Value = (retryIn is null ? DeliveryStatus.Dead : DeliveryStatus.Pending).ToString() });
        command.Parameters.Add(new() { Value = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error });
        command.Parameters.Add(new() { Value = retryIn ?? TimeSpan.Zero });
        await command.ExecuteNonQueryAsync(ct);
    }
}
