namespace Cognive.Data.Telemetry;

/// <summary>The partitioned telemetry tables: their DDL, and how far ahead and behind partitions exist.</summary>
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

    public static string CreateSql()
    {
        using var stream = typeof(TelemetrySchema).Assembly.GetManifestResourceStream("Cognive.Data.Telemetry.telemetry-schema.sql")
            ?? throw new InvalidOperationException("telemetry-schema.sql is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public const string DropSql = """
        DROP FUNCTION cognive_ensure_partitions(text, text, integer, integer);
        DROP TABLE team_daily_spend, cost_rollups, llm_call_keys, llm_calls, agent_runs;
        """;
}
