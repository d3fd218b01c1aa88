namespace Cognive.ApiService.ApiKeys;

/// <summary>Names of teams and keys: present, trimmed, at most 200 characters.</summary>
internal static class NameRules
{
    public const int MaxLength = 200;

    public static Dictionary<string, string[]>? Validate(string? name) =>
        string.IsNullOrWhiteSpace(name) ? new() { ["name"] = ["A name is required."] }
        : name.Trim().Length > MaxLength ? new() { ["name"] = [$"A name has at most {MaxLength} characters."] }
        : null;
}
