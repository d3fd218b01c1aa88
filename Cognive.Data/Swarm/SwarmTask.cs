using System.Text.Json;

namespace Cognive.Data.Swarm;

/// <summary>
/// A unit of work for a swarm. Delivered at least once under a lease: each lease raises <see cref="FencingToken"/>, and
/// only the holder of the current token may renew, complete or fail it, so a worker whose lease lapsed cannot
/// overwrite the outcome of the one that took the task over.
/// </summary>
public sealed class SwarmTask
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public required string Type { get; init; }

    public JsonDocument? Payload { get; init; }

    /// <summary>0 (lowest) to 9; waiting raises it (aging), so low priorities are not starved.</summary>
    public int Priority { get; init; }

    public string[] RequiredCapabilities { get; init; } = [];

    public SwarmTaskState State { get; set; }

    public int Attempts { get; set; }

    public int MaxAttempts { get; init; }

    public DateTimeOffset? Deadline { get; init; }

    public string? IdempotencyKey { get; init; }

    public Guid? InstanceId { get; set; }

    public long FencingToken { get; set; }

    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>Not handed out before this (retry backoff).</summary>
    public DateTimeOffset AvailableAt { get; set; }

    public JsonDocument? Result { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LeasedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Outcomes refused because they carried an old fencing token (a worker that lost its lease reported late).</summary>
    public int StaleOutcomes { get; set; }
}

public enum SwarmTaskState
{
    Queued,
    Leased,
    Done,
    Dead,
    Cancelled,
}
