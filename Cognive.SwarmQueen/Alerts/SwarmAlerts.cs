using System.Text.Json;
using Cognive.Data.Alerts;
using Cognive.Data.Audit;
using Cognive.SwarmQueen.Channels;
using Npgsql;

namespace Cognive.SwarmQueen.Alerts;

/// <summary>
/// The queen's alerts. Stored with the decision that raises them (same transaction) and queued for each of the team's
/// webhooks, which the workers deliver like budget alerts; then announced on the team's <c>health-checks</c> channel
/// (a Redis Stream read through consumer groups) and in the log.
/// </summary>
public sealed class SwarmAlerts(NpgsqlDataSource db, ChannelLog channels, AuditSealer audit, ILogger<SwarmAlerts> logger)
{
    public const string Channel = "health-checks";

    /// <summary>The alerts the queen raises itself; agents raise others.</summary>
    public static readonly IReadOnlySet<string> QueensOwn = new HashSet<string> { "circuit_open", "mass_failure", "instance_failed" };

    // The alert, unless the same one was raised for the team and kind within $6, and one pending delivery per live webhook.
    private static readonly string RaiseSql = $"""
        WITH raised AS (
            INSERT INTO swarm_alerts (id, team_id, alert, kind, detail, raised_at)
            SELECT $1, $2, $3, $4, $5, now()
            WHERE NOT EXISTS (SELECT 1 FROM swarm_alerts WHERE team_id = $2 AND alert = $3 AND kind = $4 AND raised_at > now() - $6)
            RETURNING id, team_id
        ), deliveries AS (
            {AlertDeliveries.QueueSql("raised")}
        )
        SELECT count(*) FROM raised
        """;

    /// <summary>
    /// Stores the alert and its deliveries in the caller's transaction; false when it was raised too recently. Raisings of
    /// the same alert wait for each other (a lock until the transaction ends), so two at once cannot both find none recent.
    /// </summary>
    public static async Task<bool> StoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid teamId, SwarmAlertDraft alert,
        CancellationToken ct)
    {
        var raise = new NpgsqlBatchCommand(RaiseSql);
        foreach (var value in new object[] { Guid.CreateVersion7(), teamId, alert.Alert, alert.Kind, alert.Detail, alert.AtMostEvery })
        {
            raise.Parameters.Add(new() { Value = value });
        }

        var key = $"swarm-alert:{teamId:N}:{alert.Alert}:{alert.Kind}";
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { new("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))") { Parameters = { new() { Value = key } } }, raise },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetInt64(0) == 1;
    }

    /// <summary>
    /// An alert raised by one of the team's agents or people (<paramref name="actor"/>): stored and audited together, then
    /// announced. False when the same alert was raised for the kind within its quiet time.
    /// </summary>
    public async Task<bool> RaiseAsync(Guid teamId, string actor, SwarmAlertDraft alert, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (!await StoreAsync(connection, transaction, teamId, alert, ct))
        {
            return false;
        }

        await audit.AppendAsync(connection, transaction, teamId, actor, "swarm.alert.raised", "swarm_alert", alert.Alert,
            new { alert.Alert, alert.Kind, alert.Detail }, ct);
        await transaction.CommitAsync(ct);
        await AnnounceAsync(teamId, alert);
        return true;
    }

    /// <summary>Tells the channel's subscribers and the log of an alert stored; the webhooks have theirs queued already.</summary>
    public async Task AnnounceAsync(Guid teamId, SwarmAlertDraft alert)
    {
        logger.LogWarning("Swarm alert {Alert} for team {TeamId}, kind {Kind}: {Detail}", alert.Alert, teamId, alert.Kind, alert.Detail);
        var body = JsonSerializer.Serialize(new
        {
            type = "swarm.alert", alert = alert.Alert, kind = alert.Kind, detail = alert.Detail, raised_at = DateTimeOffset.UtcNow,
        });
        await channels.PublishAsync(teamId, Channel, body);
    }
}

/// <param name="Alert">circuit_open, mass_failure or instance_failed.</param>
/// <param name="Kind">The agent kind it is about; "*" for the whole swarm.</param>
/// <param name="AtMostEvery">Not raised again for the same team, alert and kind within this time (zero: every time).</param>
public sealed record SwarmAlertDraft(string Alert, string Kind, string Detail, TimeSpan AtMostEvery);
