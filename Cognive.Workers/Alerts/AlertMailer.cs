using System.Globalization;
using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cognive.Workers.Alerts;

/// <summary>
/// E-mails each alert (budget thresholds, then the swarm's) to its team's admins and team leads through the SMTP server
/// of <c>Cognive:Smtp</c>; without <c>Cognive:Smtp:Host</c> it is not registered at all. An alert is claimed in a
/// transaction (<c>FOR UPDATE SKIP LOCKED</c>) and marked e-mailed in it after the server took the message: a crash
/// mid-send rolls the claim back and the mail is sent again (at least once). Alerts older than a day are not mailed late.
/// An alert that cannot be mailed (its text or a recipient unfit for a mail) is marked failed with the reason, visible
/// in <c>GET /api/v1/alerts</c>, and the mailer goes on with the next: no tenant's data can stop it.
/// </summary>
public sealed class AlertMailer(NpgsqlDataSource db, IOptions<SmtpSettings> options, ILogger<AlertMailer> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(10);

    /// <summary>The width of the alert tables' <c>email_error</c>.</summary>
    private const int MaxErrorLength = 500;

    private const string Recipients =
        "array(SELECT u.email FROM users u WHERE u.team_id = a.team_id AND u.role IN ('admin', 'team_lead') ORDER BY u.email)";

    private static readonly MailedAlerts[] Kinds =
    [
        new("budget_alerts", $"""
            SELECT a.id, {Recipients}, a.threshold, a.spent_usd, a.limit_usd, a.period_start, b.name
            FROM budget_alerts a JOIN budgets b ON b.id = a.budget_id
            WHERE a.emailed_at IS NULL AND a.email_error IS NULL AND a.fired_at > now() - interval '1 day'
            ORDER BY a.fired_at LIMIT 1
            FOR UPDATE OF a SKIP LOCKED
            """, DescribeBudgetAlert),
        new("swarm_alerts", $"""
            SELECT a.id, {Recipients}, a.alert, a.kind, a.detail
            FROM swarm_alerts a
            WHERE a.emailed_at IS NULL AND a.email_error IS NULL AND a.raised_at > now() - interval '1 day'
            ORDER BY a.raised_at LIMIT 1
            FOR UPDATE OF a SKIP LOCKED
            """, alert => ($"Swarm alert {alert.GetString(2)} ({alert.GetString(3)})", alert.GetString(4))),
    ];

    private static (string Subject, string Body) DescribeBudgetAlert(NpgsqlDataReader alert)
    {
        var (threshold, spent, limit, periodStart, budget) = (alert.GetInt32(2), alert.GetDecimal(3), alert.GetDecimal(4),
            alert.GetFieldValue<DateTimeOffset>(5), alert.GetString(6));
        return ($"Budget '{budget}' reached {threshold} %", string.Create(CultureInfo.InvariantCulture,
            $"Budget '{budget}' has spent {spent:0.######} USD of {limit:0.######} USD ({threshold} % threshold) in the period that began {periodStart:u}."));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var mailed = false;
                foreach (var kind in Kinds)
                {
                    mailed |= await MailNextAsync(kind, stoppingToken);
                }

                if (!mailed)
                {
                    await Task.Delay(IdlePoll, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The server or the database is unreachable: every alert would fail alike, so none is marked failed.
                logger.LogWarning(e, "Alert e-mail not sent, retrying in {Delay}", FailureBackoff);
                await Task.Delay(FailureBackoff, stoppingToken);
            }
        }
    }

    private async Task<bool> MailNextAsync(MailedAlerts kind, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        Guid alertId;
        string? failure;
        MailMessage? message;
        await using (var claim = new NpgsqlCommand(kind.ClaimSql, connection, transaction))
        await using (var reader = await claim.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }

            alertId = reader.GetGuid(0);
            failure = TryCompose(kind, reader, alertId, reader.GetFieldValue<string[]>(1), out message);
        }

        using (message)
        {
            if (message is not null)
            {
                failure = await TrySendAsync(message, ct);
            }
        }

        await using (var mark = new NpgsqlCommand(
            $"UPDATE {kind.Table} SET emailed_at = CASE WHEN $2 IS NULL THEN now() END, email_error = $2 WHERE id = $1", connection, transaction))
        {
            mark.Parameters.Add(new() { Value = alertId });
            mark.Parameters.Add(new() { Value = failure is null ? DBNull.Value : Truncated(failure), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await mark.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        if (failure is not null)
        {
            logger.LogWarning("Alert {AlertId} ({Table}) cannot be e-mailed: {Reason}", alertId, kind.Table, failure);
        }

        return true;
    }

    /// <summary>
    /// The alert's mail, or why this alert (and no other) cannot have one: its text or a recipient's address is not
    /// fit for a mail header (data older than the API's validation). A poison alert is marked failed, never retried.
    /// </summary>
    private string? TryCompose(MailedAlerts kind, NpgsqlDataReader reader, Guid alertId, string[] recipients, out MailMessage? message)
    {
        message = null;
        if (recipients.Length == 0)
        {
            return null;
        }

        try
        {
            var (subject, body) = kind.Describe(reader);
            message = Compose(subject, $"{body}\nAlert {alertId}.", alertId, recipients);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidCastException or InvalidOperationException)
        {
            return $"Not composed: {e.Message}";
        }
    }

    /// <summary>
    /// Sends; null once the server took the message. A refusal of this message (a recipient, or any permanent 5xx answer)
    /// is this alert's failure; anything else (no server, a 4xx) is the server's and is thrown to be retried.
    /// </summary>
    private async Task<string?> TrySendAsync(MailMessage message, CancellationToken ct)
    {
        try
        {
            using var smtp = Client();
            await smtp.SendMailAsync(message, ct);
            return null;
        }
        catch (SmtpException e) when (e is SmtpFailedRecipientException || (int)e.StatusCode >= 500)
        {
            return $"Refused by the mail server: {e.Message}";
        }
    }

    private static string Truncated(string reason) => reason.Length > MaxErrorLength ? reason[..MaxErrorLength] : reason;

    private MailMessage Compose(string subject, string body, Guid alertId, string[] recipients)
    {
        var message = new MailMessage { From = new MailAddress(options.Value.From), Subject = subject, Body = body };
        try
        {
            message.Headers.Add("X-Cognive-Alert-Id", alertId.ToString());
            foreach (var recipient in recipients)
            {
                message.To.Add(recipient);
            }

            return message;
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A table of alerts to mail: the claim of its oldest alert not mailed (its id, then its recipients, then what
    /// <see cref="Describe"/> reads), and the mail's subject and body.
    /// </summary>
    private sealed record MailedAlerts(string Table, string ClaimSql, Func<NpgsqlDataReader, (string Subject, string Body)> Describe);

    private SmtpClient Client()
    {
        var settings = options.Value;
        return new SmtpClient(settings.Host, settings.Port)
        {
            EnableSsl = settings.EnableSsl,
            Timeout = (int)TimeSpan.FromSeconds(10).TotalMilliseconds,
            Credentials = settings.UserName is { } user ? new NetworkCredential(user, settings.Password) : null,
        };
    }
}

/// <summary>The SMTP server alerts are e-mailed through (<c>Cognive:Smtp</c>).</summary>
public sealed class SmtpSettings
{
    public const string Section = "Cognive:Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    public string From { get; set; } = "cognive-alerts@localhost";

    public bool EnableSsl { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }
}

public static class AlertMailExtensions
{
    /// <summary>E-mail alerts, only when an SMTP server is configured: without one nothing is sent and nothing is logged.</summary>
    public static IHostApplicationBuilder AddAlertEmail(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{SmtpSettings.Section}:Host"]))
        {
            return builder;
        }

        builder.Services.AddOptions<SmtpSettings>().BindConfiguration(SmtpSettings.Section);
        builder.Services.AddHostedService<AlertMailer>();
        return builder;
    }
}
