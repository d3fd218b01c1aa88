using Cognive.ApiService.Validation;

namespace Cognive.ApiService.ApiKeys;

/// <summary>Names of teams and keys: present, at most 200 characters once trimmed.</summary>
internal static class NameRules
{
    public const int MaxLength = 200;

    public static Dictionary<string, string[]>? Validate(string? name)
    {
        var errors = new Dictionary<string, string[]>();
        FieldRules.Text(errors, "name", name, MaxLength, required: true);
        return FieldRules.ErrorsOrNull(errors);
    }
}
