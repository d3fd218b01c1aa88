namespace Cognive.ApiService.Providers;

/// <param name="Name">What callers of the gateway pick the connection by (<c>name/model</c>): lower-case letters, digits, - and _.</param>
/// <param name="Provider">The price table's provider its calls are priced as (openai, anthropic, …).</param>
/// <param name="BaseUrl">The upstream's OpenAI-compatible API, e.g. <c>https://api.openai.com/v1</c>.</param>
/// <param name="ApiKey">The upstream's key: stored encrypted, never returned, never logged, audited without its value.</param>
/// <param name="Default">Where models named without a connection go; at most one connection of a team is the default.</param>
public sealed record CreateProviderRequest(string? Name, string? Provider, string? BaseUrl, string? ApiKey, bool? Default);

/// <summary>Each field left out stays as it is; <see cref="ApiKey"/> replaces the stored key.</summary>
public sealed record UpdateProviderRequest(string? Name, string? Provider, string? BaseUrl, string? ApiKey, bool? Default);

/// <summary>A connection as the API shows it: never its key.</summary>
public sealed record ProviderResponse(Guid Id, string Name, string Provider, string BaseUrl, bool Default, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
