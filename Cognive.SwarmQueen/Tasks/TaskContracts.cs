using System.Text.Json;
using Npgsql;

namespace Cognive.SwarmQueen.Tasks;

/// <param name="Priority">0 (lowest) to 9.</param>
/// <param name="MaxAttempts">Leases before the task is dead (1 to 20; 3 when left out).</param>
public sealed record CreateTaskRequest(string? Type, JsonElement? Payload, int? Priority, string[]? RequiredCapabilities,
    DateTimeOffset? Deadline, int? MaxAttempts, string? IdempotencyKey);

public sealed record NewTask(string Type, JsonElement? Payload, int Priority, string[] RequiredCapabilities, DateTimeOffset? Deadline,
    int MaxAttempts, string? IdempotencyKey);

public sealed record CreatedTask(Guid TaskId);

/// <summary>A page of tasks; <see cref="NextCursor"/> (the last id) asks for the next, null on the last page.</summary>
public sealed record TaskPage(IReadOnlyList<TaskView> Items, Guid? NextCursor);

/// <summary>What a lease holder sends back: the lease's fencing token, and the result or the error.</summary>
public sealed record TaskOutcomeRequest(long? FencingToken, JsonElement? Result, string? Error);

public sealed record TaskView(Guid Id, string Type, JsonElement? Payload, int Priority, string[] RequiredCapabilities, string State,
    int Attempts, int MaxAttempts, DateTimeOffset? Deadline, Guid? InstanceId, long FencingToken, DateTimeOffset? LeaseExpiresAt,
    JsonElement? Result, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? LeasedAt, DateTimeOffset? FinishedAt, int StaleOutcomes)
{
    public static TaskView Read(NpgsqlDataReader row) => new(
        row.GetGuid(0), row.GetString(1), JsonOrNull(row, 2), row.GetInt32(3), row.GetFieldValue<string[]>(4), row.GetString(5).ToLowerInvariant(),
        row.GetInt32(6), row.GetInt32(7), NullableTime(row, 8), row.IsDBNull(9) ? null : row.GetGuid(9), row.GetInt64(10),
        NullableTime(row, 11), JsonOrNull(row, 12), row.IsDBNull(13) ? null : row.GetString(13), row.GetFieldValue<DateTimeOffset>(14),
        NullableTime(row, 15), NullableTime(row, 16), row.GetInt32(17));

    private static DateTimeOffset? NullableTime(NpgsqlDataReader row, int column) =>
        row.IsDBNull(column) ? null : row.GetFieldValue<DateTimeOffset>(column);

    private static JsonElement? JsonOrNull(NpgsqlDataReader row, int column) =>
        row.IsDBNull(column) ? null : JsonDocument.Parse(row.GetString(column)).RootElement.Clone();
}
