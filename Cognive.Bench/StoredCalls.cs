using Npgsql;

namespace Cognive.Bench;

/// <summary>How many of a team's calls PostgreSQL holds: what "durable" means in every ingestion figure.</summary>
public static class StoredCalls
{
    /// <summary>
    /// Counted from the team's run totals, which the workers raise in the transaction that stores the calls. Counting
    /// the rows instead meant reading a million fresh rows (not yet all-visible, so the heap too) every 50 ms while the
    /// drain being timed needed the same cores.
    /// </summary>
    public static async Task<long> CountAsync(string database, Guid teamId, CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(database);
        return await CountAsync(db, teamId, ct);
    }

    /// <summary>Polls until <paramref name="accepted"/> calls are stored (or five minutes pass); returns the count and when.</summary>
    public static async Task<(long Stored, DateTimeOffset At)> WaitUntilAsync(string database, Guid teamId, long accepted, CancellationToken ct)
    {
        // One data source for the whole wait: its pooled connection serves every poll.
        await using var db = NpgsqlDataSource.Create(database);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var stored = await CountAsync(db, teamId, ct);
            if (stored >= accepted || DateTime.UtcNow > deadline)
            {
                return (stored, DateTimeOffset.UtcNow);
            }

            await Task.Delay(50, ct);
        }
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT coalesce(sum(calls), 0)::bigint FROM agent_runs WHERE team_id = $1");
        command.Parameters.Add(new() { Value = teamId });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
