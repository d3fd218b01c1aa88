using System.Net.Mail;
using System.Text.Json;

namespace Cognive.ApiService.Validation;

/// <summary>Checks shared by the endpoints' validation: they add to one error dictionary so every problem is reported at once.</summary>
internal static class FieldRules
{
    /// <summary>
    /// A text field: present when <paramref name="required"/>; when present, not blank (unless
    /// <paramref name="allowBlank"/>) and at most <paramref name="maxLength"/> characters once trimmed.
    /// </summary>
    public static void Text(Dictionary<string, string[]> errors, string field, string? value, int maxLength, bool required,
        bool allowBlank = false)
    {
        if (value is null)
        {
            if (required)
            {
                errors[field] = [$"{field} is required."];
            }
        }
        else if (!allowBlank && string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [$"{field} must not be blank."];
        }
        else if (value.Trim().Length > maxLength)
        {
            errors[field] = [$"{field} has at most {maxLength} characters."];
        }
    }

    /// <summary>
    /// An address a mail can be sent to as it stands: one plain <c>local@domain</c>, no display name, comment or second
    /// <c>@</c> (what the parser accepts it must give back unchanged), so the alert mailer can always address it.
    /// </summary>
    public static bool IsMailAddress(string value) =>
        MailAddress.TryCreate(value, out var parsed) && parsed.Address == value && parsed.DisplayName.Length == 0 &&
        value.Count(c => c == '@') == 1 && !value.Any(char.IsWhiteSpace);

    /// <summary>Free-form metadata: small enough to store with every row it travels with.</summary>
    public const int MaxMetadataBytes = 2048;

    /// <summary>An optional JSON value that, when present, is an object of at most <paramref name="maxBytes"/> bytes.</summary>
    public static void JsonObject(Dictionary<string, string[]> errors, string field, JsonElement? value, int maxBytes)
    {
        if (value is not { } present || present.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (present.ValueKind != JsonValueKind.Object)
        {
            errors[field] = [$"{field} must be a JSON object."];
        }
        else if (present.GetRawText().Length > maxBytes)
        {
            errors[field] = [$"{field} holds at most {maxBytes} bytes."];
        }
    }

    /// <summary>A value that must be one of <paramref name="allowed"/> (null counts as missing).</summary>
    public static void OneOf(Dictionary<string, string[]> errors, string field, string? value, IEnumerable<string> allowed)
    {
        if (value is null || !allowed.Contains(value))
        {
            errors[field] = [$"{field} is one of {string.Join(", ", allowed)}."];
        }
    }

    /// <summary>A listing's optional page size: when given, 1 to <paramref name="max"/>.</summary>
    public static Dictionary<string, string[]>? PageLimit(int? limit, int max) =>
        limit < 1 || limit > max ? new Dictionary<string, string[]> { ["limit"] = [$"limit is 1 to {max}."] } : null;

    public static Dictionary<string, string[]>? ErrorsOrNull(Dictionary<string, string[]> errors) => errors.Count == 0 ? null : errors;
}
