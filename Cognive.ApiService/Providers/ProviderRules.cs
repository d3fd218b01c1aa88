using System.Text.RegularExpressions;
using Cognive.ApiService.Validation;

namespace Cognive.ApiService.Providers;

/// <summary>What a provider connection may hold. Names are path-free, so <c>name/model</c> splits at the first slash.</summary>
internal static partial class ProviderRules
{
    private const int MaxKeyLength = 4096;
    private const int MaxUrlLength = 2000;

    public static Dictionary<string, string[]> Validate(string? name, string? provider, string? baseUrl, string? apiKey, bool creating)
    {
        var errors = new Dictionary<string, string[]>();
        if (name is not null || creating)
        {
            if (name is null || !NamePattern().IsMatch(name))
            {
                errors["name"] = ["name is 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit."];
            }
        }

        FieldRules.Text(errors, "provider", provider, 100, required: creating);
        if (baseUrl is not null || creating)
        {
            if (baseUrl is null || baseUrl.Length > MaxUrlLength || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) ||
                uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                errors["base_url"] = [$"base_url is an absolute http(s) URL without query or fragment, at most {MaxUrlLength} characters."];
            }
        }

        if (apiKey is not null || creating)
        {
            if (string.IsNullOrWhiteSpace(apiKey) || apiKey.Length > MaxKeyLength || apiKey.Any(char.IsControl))
            {
                errors["api_key"] = [$"api_key is required: 1 to {MaxKeyLength} printable characters."];
            }
        }

        return errors;
    }

    /// <summary>The price table spells providers in lower case.</summary>
    public static string Normalised(string provider) => provider.Trim().ToLowerInvariant();

    /// <summary>Joined with a path as given: <c>https://host/v1</c> and <c>https://host/v1/</c> mean the same.</summary>
    public static string NormalisedUrl(string baseUrl) => baseUrl.TrimEnd('/');

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();
}
