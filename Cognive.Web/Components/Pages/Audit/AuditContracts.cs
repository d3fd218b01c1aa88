using System.Globalization;
using System.Text.Json;

namespace Cognive.Web.Components.Pages.Audit;

public sealed record AuditRecord(long Id, DateTimeOffset OccurredAt, string Actor, string Action, string TargetType, string TargetId,
    JsonElement Summary, string RequestId, string? SourceIp, string Hash);

public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, long? NextCursor);

/// <summary>What <c>GET /api/v1/audit/verify</c> answers: intact, or the first record that does not hold and why.</summary>
public sealed record AuditVerification(bool Intact, long RecordsChecked, long? FirstBrokenId, string? Reason, long? CheckedAfterId);

/// <summary>
/// The trail's filters as typed (times as UTC <c>yyyy-MM-ddTHH:mm</c>, what a datetime-local input gives) and the query
/// they make for <c>GET /api/v1/audit</c>; a blank filter is left out.
/// </summary>
public sealed class AuditFilter
{
    public string Action { get; set; } = "";

    public string Actor { get; set; } = "";

    public string TargetType { get; set; } = "";

    public string TargetId { get; set; } = "";

    public string From { get; set; } = "";

    public string To { get; set; } = "";

    public string Query(int limit, string? cursor)
    {
        var query = new List<string> { $"limit={limit}" };
        Add(query, "action", Action);
        Add(query, "actor", Actor);
        Add(query, "target_type", TargetType);
        Add(query, "target_id", TargetId);
        Add(query, "from", Utc(From));
        Add(query, "to", Utc(To));
        Add(query, "cursor", cursor);
        return $"/api/v1/audit?{string.Join('&', query)}";
    }

    /// <summary>A typed time as the API's ISO-8601 UTC; text that is no time goes as typed, for the API to name the field.</summary>
    private static string? Utc(string typed) =>
        DateTime.TryParse(typed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)
            : typed;

    private static void Add(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            query.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
        }
    }
}
