using System.Diagnostics;
using Cognive.Data.Alerts;
using Microsoft.Extensions.Options;

namespace Cognive.Workers.Alerts;

/// <summary>
/// Delivers pending alerts to webhooks: claims due deliveries while it has room, sends each on its own (a slow
/// receiver holds only its own slot), and records every outcome: delivered on 2xx, otherwise retried with exponential
/// backoff and jitter until <see cref="WebhookSettings.MaxAttempts"/>, then dead. Polls every half second while idle and
/// at once after finding work. Several workers share the queue safely; a receiver sees one alert more than once only
/// when its answer is lost, and then with the same <c>Idempotency-Key</c>.
/// </summary>
public sealed class WebhookDispatcher(DeliveryQueue queue, WebhookSender sender, WebhookMetrics metrics,
    IOptions<WebhookSettings> options, ILogger<WebhookDispatcher> logger, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan DatabaseRetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var inFlight = new InFlightDeliveries(settings.MaxInFlight);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await inFlight.WaitForRoomAsync(stoppingToken);
                var claimed = await ClaimAsync(inFlight, settings, stoppingToken);
                foreach (var delivery in claimed)
                {
                    inFlight.Start(delivery.TeamId, () => DeliverAsync(delivery, settings, stoppingToken));
                }

                if (claimed.Count == 0)
                {
                    await Task.Delay(PollInterval, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is in flight ends quickly (its requests are cancelled) and is retried once its lease lapses.
        }

        await inFlight.DrainAsync();
    }

    private async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(InFlightDeliveries inFlight, WebhookSettings settings, CancellationToken ct)
    {
        try
        {
            return await queue.ClaimAsync(inFlight.Room, inFlight.ByTeam(), settings.MaxInFlightPerTeam, settings.ClaimLease, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not claim alert deliveries; retrying in {Delay}", DatabaseRetryDelay);
            await Task.Delay(DatabaseRetryDelay, time, ct);
            return [];
        }
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, WebhookSettings settings, CancellationToken ct)
    {
        try
        {
            if (delivery.WebhookDeleted)
            {
                // Deleted after this delivery was queued: the deletion gave up only the deliveries pending by then.
                await queue.FailedAsync(delivery, DeliveryErrors.WebhookDeleted, retryIn: null, ct);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            var error = await sender.SendAsync(delivery, ct);
            metrics.Attempted(Stopwatch.GetElapsedTime(started));
            if (error is null)
            {
                await queue.DeliveredAsync(delivery, ct);
                metrics.Delivered();
            }
            else if (delivery.Attempt >= settings.MaxAttempts)
            {
                await queue.FailedAsync(delivery, error, retryIn: null, ct);
                metrics.Dead();
                logger.LogWarning("Alert {AlertId} to webhook {WebhookId} is dead after attempt {Attempt}: {Error}",
                    delivery.AlertId, delivery.WebhookId, delivery.Attempt, error);
            }
            else
            {
                await queue.FailedAsync(delivery, error, settings.RetryDelay(delivery.Attempt), ct);
                metrics.Failed();
                logger.LogInformation("Alert {AlertId} to webhook {WebhookId} failed attempt {Attempt}: {Error}",
                    delivery.AlertId, delivery.WebhookId, delivery.Attempt, error);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: the attempt is retried when its claim lapses.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Alert {AlertId} to webhook {WebhookId}: attempt {Attempt} not recorded; retried when its claim lapses",
                delivery.AlertId, delivery.WebhookId, delivery.Attempt);
        }
    }
}
