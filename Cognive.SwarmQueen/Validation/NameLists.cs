namespace Cognive.SwarmQueen.Validation;

/// <summary>Lists of names (capabilities, tags): an optional list of at most so many non-blank names of 1 to 100 characters.</summary>
internal static class NameLists
{
    public static void Check(Dictionary<string, string[]> errors, string field, string[]? names, int maxCount)
    {
        if (names is not null && (names.Length > maxCount || names.Any(n => string.IsNullOrWhiteSpace(n) || n.Length > 100)))
        {
            errors[field] = [$"{field} holds at most {maxCount} names of 1 to 100 characters."];
        }
    }
}
