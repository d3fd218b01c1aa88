using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cognive.Workers.Alerts;

/// <summary>
/// The <c>Cognive-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c> over
/// <c>"&lt;t&gt;." + body</c>, keyed with the UTF-8 of the webhook's secret. The timestamp is signed too, so a receiver
/// can refuse replays of an old delivery.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Cognive-Signature";

    public static string Sign(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message))}";
    }
}
