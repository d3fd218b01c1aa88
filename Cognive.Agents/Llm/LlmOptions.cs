using System.ComponentModel.DataAnnotations;

namespace Cognive.Agents.Llm;

/// <summary>
/// <c>Cognive:Agents:Llm</c>. <see cref="Provider"/> <c>local</c> (the default) needs nothing and makes no network call;
/// <c>openai</c> talks to any OpenAI-compatible server at <see cref="BaseUrl"/> with the key in <see cref="ApiKeyFile"/>
/// (or <see cref="ApiKey"/>, for secret stores that feed configuration).
/// </summary>
public sealed class LlmOptions : IValidatableObject
{
    public const string Section = "Cognive:Agents:Llm";
    public const string Local = "local";
    public const string OpenAi = "openai";

    public string Provider { get; set; } = Local;

    /// <summary>The model asked when a request names none. The local provider's is fixed.</summary>
    public string Model { get; set; } = "gpt-4o-mini";

    public Uri? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiKeyFile { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider is not (Local or OpenAi))
        {
            yield return new ValidationResult($"{Section}:Provider is '{Local}' or '{OpenAi}', not '{Provider}'.");
        }

        if (Provider == OpenAi && BaseUrl is null)
        {
            yield return new ValidationResult($"{Section}:BaseUrl is required for the '{OpenAi}' provider.");
        }

        if (Provider == OpenAi && string.IsNullOrWhiteSpace(ApiKey) && !File.Exists(ApiKeyFile))
        {
            yield return new ValidationResult($"{Section}:ApiKeyFile (an existing file) or ApiKey is required for the '{OpenAi}' provider.");
        }
    }

    /// <summary>The key itself: never logged, never part of an error message.</summary>
    public string ReadApiKey() => string.IsNullOrWhiteSpace(ApiKey) ? File.ReadAllText(ApiKeyFile!).Trim() : ApiKey.Trim();
}
