using Cognive.ApiService.Validation;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Paging;

/// <summary>
/// Paging for the lists that answered a bare JSON array before they were paged (API keys, people, policies), so their
/// shape stays: <c>?limit=</c> (1 to <see cref="MaxSize"/>, all of it by default) and <c>?cursor=</c> (the last id of the
/// previous page) page them in id order (UUIDv7: the order they were made), and <c>Link: &lt;…&gt;; rel="next"</c>
/// (RFC 8288) names the next page while there is one.
/// </summary>
internal static class ListPages
{
    public const int MaxSize = 500;

    public static Dictionary<string, string[]>? Refusal(int? limit) => FieldRules.PageLimit(limit, MaxSize);

    /// <param name="query">Filtered to the caller's team and past the cursor, ordered by <paramref name="id"/>.</param>
    public static async Task<List<T>> TakeAsync<T>(IQueryable<T> query, int? limit, Func<T, Guid> id, HttpContext http, CancellationToken ct)
    {
        var size = limit ?? MaxSize;
        var page = await query.Take(size + 1).ToListAsync(ct);
        if (page.Count > size)
        {
            page.RemoveAt(size);
            var next = QueryHelpers.ParseQuery(http.Request.QueryString.Value);
            next["limit"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
            next["cursor"] = id(page[^1]).ToString();
            http.Response.Headers.Link = $"<{QueryHelpers.AddQueryString($"{http.Request.PathBase}{http.Request.Path}", next)}>; rel=\"next\"";
        }

        return page;
    }
}
