namespace Cognive.SwarmQueen.Validation;

/// <summary>
/// Names: lists of them (capabilities, tags: an optional list of at most so many non-blank names of 1 to 100 characters),
/// and identifiers (kinds, hosts, channel groups and consumers: letters, digits, '-', '_' and '.').
/// </summary>
internal static class NameLists
{
    public static bool IsIdentifier(string? value, int maxLength) =>
        value is { Length: > 0 } && value.Length <= maxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static void Check(Dictionary<string, string[]> errors, string field, string[]? names, int maxCount)
    {
        if (names is not null && (names.Length > maxCount || names.Any(n => string.IsNullOrWhiteSpace(n) || n.Length > 100)))
        {
            errors[field] = [$"{field} holds at most {maxCount} names of 1 to 100 characters."];
        }
    }
}
