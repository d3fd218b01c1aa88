using System.ComponentModel.DataAnnotations;

namespace Cognive.Workers.Alerts;

/// <summary>How alerts are delivered to webhooks (<c>Cognive:Webhooks</c>); checked on start.</summary>
public sealed class WebhookSettings
{
    public const string Section = "Cognive:Webhooks";

    /// <summary>Attempts before a delivery is dead.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failure; it doubles with every further one, up to <see cref="RetryCapSeconds"/>.</summary>
    [Range(0.01, 3600)]
    public double RetryBaseSeconds { get; set; } = 2;

    [Range(0.01, 86400)]
    public double RetryCapSeconds { get; set; } = 300;

    /// <summary>How long a receiver has to answer (headers) before the attempt counts as failed.</summary>
    [Range(0.1, 60)]
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>Requests in flight from one worker, over all teams.</summary>
    [Range(1, 10_000)]
    public int MaxInFlight { get; set; } = 64;

    /// <summary>Requests in flight from one worker to one team's receivers, so slow receivers can take only their team's share.</summary>
    [Range(1, 1000)]
    public int MaxInFlightPerTeam { get; set; } = 4;

    /// <summary>Whether webhooks may point at loopback and private networks: local runs only (the AppHost sets it there).</summary>
    public bool AllowPrivateNetworks { get; set; }

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>
    /// How long a claimed delivery stays invisible to other workers: the attempt's timeout plus room to record its
    /// outcome. A worker that dies mid-attempt loses its claims when this lapses, and another worker retries them.
    /// </summary>
    public TimeSpan ClaimLease => Timeout + TimeSpan.FromSeconds(25);

    /// <summary>
    /// The wait after <paramref name="attempts"/> failed attempts: exponential up to the cap, times a random factor in
    /// [0.5, 1.5) so receivers that failed together are not retried in lockstep.
    /// </summary>
    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(RetryCapSeconds, RetryBaseSeconds * Math.Pow(2, attempts - 1)) * (0.5 + Random.Shared.NextDouble()));
}
