using Microsoft.AspNetCore.Http.Features;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// Reads a request body of at most a limit. A larger one is read on to its end and dropped before the caller answers 413:
/// a server that closes the connection on a body still arriving makes the client's kernel discard the answer (the reset
/// beats it), and an SDK then reports a broken connection instead of "too large". The reading on is bounded too: past
/// twice the limit Kestrel stops it and resets the connection.
/// </summary>
public static class RequestBody
{
    /// <summary>The body, or null when it is over <paramref name="maxBytes"/>.</summary>
    public static async Task<MemoryStream?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = 2L * maxBytes;
        }

        var body = new MemoryStream(request.ContentLength is > 0 and var declared && declared <= maxBytes ? (int)declared : 0);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > maxBytes)
            {
                await body.DisposeAsync();
                while (await request.Body.ReadAsync(buffer, ct) > 0)
                {
                }

                return null;
            }

            body.Write(buffer, 0, read);
        }

        return body;
    }
}
