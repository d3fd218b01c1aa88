using System.Data.Common;

namespace Cognive.Client.Hosting;

/// <summary>
/// Settings of the client (<c>Cognive:Client</c>), with the address and key usually from the connection string
/// <c>ConnectionStrings:cognive-api</c> = <c>Endpoint=https://cognive.example.com;Key=cgv_…</c>.
/// </summary>
public sealed class CogniveClientOptions
{
    /// <summary>The configuration section bound to these settings.</summary>
    public const string Section = "Cognive:Client";

    /// <summary>The API's base address (Aspire service discovery names such as <c>https+http://api</c> work when discovery is on).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The agent's (or team's) API key, sent as <c>X-API-Key</c>. Never logged.</summary>
    public string? Key { get; set; }

    /// <summary>Reports held in memory at most; past it the oldest is dropped (counted, logged and metered).</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Calls per batch sent (the API takes up to 1,000).</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How long disposal and application stop wait for the queue to be sent.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="RetryMaxDelay"/>, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between retries of a send.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one request may take before it is abandoned (and a send retried). A proxy in front of a stopped API can hold
    /// a connection open without answering; this bounds that wait.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a budget check may take before Cognive counts as unreachable.</summary>
    public TimeSpan BudgetCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What a budget check does when Cognive cannot be reached (or answers 5xx). Fail open by default.</summary>
    public UnreachableBehavior WhenUnreachable { get; set; } = UnreachableBehavior.FailOpen;

    /// <summary>Reads <c>Endpoint=…;Key=…</c> (keys case-insensitive); either part may be left out.</summary>
    public void ApplyConnectionString(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parts.TryGetValue("Endpoint", out var endpoint) && endpoint is string address && address.Length > 0)
        {
            Endpoint = new Uri(address);
        }

        if (parts.TryGetValue("Key", out var key) && key is string text && text.Length > 0)
        {
            Key = text;
        }
    }
}

/// <summary>What a budget check does when Cognive cannot be reached.</summary>
public enum UnreachableBehavior
{
    /// <summary>The call goes ahead unchecked (logged and metered); it is still reported once Cognive is back.</summary>
    FailOpen,

    /// <summary>The call is refused with <see cref="Api.CogniveUnavailableException"/>; the model is not called.</summary>
    FailClosed,
}
