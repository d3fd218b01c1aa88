namespace Cognive.Data.Telemetry;

/// <summary>The partitioned telemetry tables (created by the baseline migration): how far ahead and behind partitions exist.</summary>
public static class TelemetrySchema
{
    /// <summary>Calls may report an occurred_at this far back; partitions cover it with a day to spare.</summary>
    public static readonly TimeSpan OldestAcceptedCall = TimeSpan.FromDays(30);

    /// <summary>Calls may report an occurred_at this far ahead (clock skew), never more.</summary>
    public static readonly TimeSpan FurthestFutureCall = TimeSpan.FromMinutes(5);

    /// <summary>Creates the partitions the next days and months need; idempotent and safe to call concurrently.</summary>
    public const string EnsurePartitionsSql = """
        SELECT cognive_ensure_partitions('llm_calls', 'day', 31, 7)
             + cognive_ensure_partitions('agent_runs', 'month', 1, 3)
        """;
}
