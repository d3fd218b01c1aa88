using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Cognive.Workers.Alerts;

/// <summary>Makes one attempt at posting an alert to a webhook, signed, and says what went wrong, if anything.</summary>
public sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time, IOptions<WebhookSettings> settings)
{
    public const string ClientName = "webhooks";
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <returns>Null when the receiver answered 2xx; otherwise the failure, in words that never include the secret.</returns>
    public async Task<string?> SendAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new ByteArrayContent(delivery.Body) { Headers = { ContentType = Json } },
            };
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(delivery.Secret, time.GetUtcNow(), delivery.Body));
            request.Headers.Add("Idempotency-Key", delivery.AlertId.ToString());
            request.Headers.Add("Cognive-Delivery-Attempt", delivery.Attempt.ToString(CultureInfo.InvariantCulture));
            using var client = clients.CreateClient(ClientName);
            // Only the status line counts: a receiver that trickles its body out holds no one up.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            return $"Timeout: no answer within {settings.Value.TimeoutSeconds} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever stopped this attempt (a URL that cannot be sent to, refused connection, DNS, TLS) is recorded as
            // the attempt's failure, so a broken webhook goes dead instead of being retried for ever.
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
