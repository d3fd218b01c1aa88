using System.Net.Http.Headers;

namespace Cognive.Web.Api;

/// <summary>
/// A page of a list the API answers as a bare JSON array (API keys, people, policies) and pages with <c>?limit=&amp;cursor=</c>,
/// naming the next page in <c>Link: &lt;…&gt;; rel="next"</c>. <see cref="Next"/> is that path, null on the last page.
/// </summary>
public sealed record LinkedPage<T>(IReadOnlyList<T> Items, string? Next);

public static class LinkedPages
{
    public static async Task<LinkedPage<T>> GetLinkedPageAsync<T>(this ApiClient api, string path, CancellationToken ct)
    {
        using var response = await api.ExchangeAsync(HttpMethod.Get, path, null, ct);
        var items = await ApiExchange.ReadAsync<List<T>>(response, ct);
        return new(items, NextOf(response.Headers));
    }

    /// <summary>The path of the <c>rel="next"</c> link, when the answer has one.</summary>
    public static string? NextOf(HttpResponseHeaders headers) =>
        headers.TryGetValues("Link", out var links)
            ? links.SelectMany(l => l.Split(',')).Select(l => l.Trim())
                .Where(l => l.EndsWith("rel=\"next\"", StringComparison.Ordinal) && l.StartsWith('<') && l.Contains('>'))
                .Select(l => l[1..l.IndexOf('>')]).FirstOrDefault()
            : null;
}
