namespace Cognive.Data.Telemetry;

/// <summary>
/// Run ids are UUIDv7 minted from the run's start, so a run id alone names the partition its row lives in:
/// lookups by id prune to one partition instead of probing them all.
/// </summary>
public static class RunIds
{
    public static (Guid Id, DateTimeOffset StartedAt) Mint(DateTimeOffset now)
    {
        var startedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        return (Guid.CreateVersion7(startedAt), startedAt);
    }

    /// <summary>The start time a run id carries; null for an id Cognive did not mint (it can name no run).</summary>
    public static DateTimeOffset? StartedAt(Guid id)
    {
        if (id.Version != 7)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        long milliseconds = 0;
        for (var i = 0; i < 6; i++)
        {
            milliseconds = (milliseconds << 8) | bytes[i];
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }
}
