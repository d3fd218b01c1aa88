using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;

namespace Cognive.SwarmQueen.Memory;

public sealed record MemoryEntry(string Namespace, string Key, JsonElement Value, long Version, string[] Tags, DateTimeOffset? ExpiresAt,
    DateTimeOffset UpdatedAt)
{
    public static MemoryEntry Read(NpgsqlDataReader row) => new(row.GetString(0), row.GetString(1),
        JsonDocument.Parse(row.GetString(2)).RootElement.Clone(), row.GetInt64(3), row.GetFieldValue<string[]>(4),
        row.IsDBNull(5) ? null : row.GetFieldValue<DateTimeOffset>(5), row.GetFieldValue<DateTimeOffset>(6));
}

/// <param name="ExpectedVersion">Compare-and-set: 0 to create only; the version read to replace only that one.</param>
public sealed record PutMemoryRequest(JsonElement? Value, long? ExpectedVersion, int? TtlSeconds, string[]? Tags);

/// <summary>One operation of a batch: a read, a write or a delete of one entry.</summary>
public abstract record MemoryOperation(string Namespace, string Key);

public sealed record MemoryRead(string Namespace, string Key) : MemoryOperation(Namespace, Key);

public sealed record MemoryWrite(string Namespace, string Key, JsonElement Value, long? ExpectedVersion, TimeSpan? Ttl, string[] Tags)
    : MemoryOperation(Namespace, Key);

public sealed record MemoryDelete(string Namespace, string Key, long? ExpectedVersion) : MemoryOperation(Namespace, Key);

/// <param name="Status">As the single-entry endpoints answer: 200 (read or written), 204 (deleted), 404, 409 (version conflict).</param>
public sealed record MemoryOutcome(int Status, MemoryEntry? Entry);

/// <summary>Source-generated: entries are cached in Redis on every write and read on every hit.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MemoryEntry))]
internal sealed partial class MemoryJson : JsonSerializerContext;
