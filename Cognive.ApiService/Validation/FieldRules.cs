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

    public static Dictionary<string, string[]>? ErrorsOrNull(Dictionary<string, string[]> errors) => errors.Count == 0 ? null : errors;
}
