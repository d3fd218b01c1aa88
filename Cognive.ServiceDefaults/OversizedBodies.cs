using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How a service refuses a request body over its limit so that the caller reads the refusal: the body is read on to its
/// end and dropped before the 413 goes out. A server that closes the connection on a body still arriving makes the
/// client's kernel discard the answer (the reset beats it), and the client then reports a broken pipe instead of "too
/// large" (seen in CI on the queen). The reading on is bounded: past twice the limit Kestrel stops it and resets the
/// connection.
/// </summary>
public static class OversizedBodies
{
    private const int ReadSize = 16 * 1024;

    /// <summary>Lets Kestrel take up to twice <paramref name="maxBytes"/> of this request, so a body over the limit can be drained.</summary>
    public static void AllowDraining(HttpRequest request, long maxBytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = 2 * maxBytes;
        }
    }

    /// <summary>Reads what is left of the body and drops it; past Kestrel's limit, stops (the connection is then reset).</summary>
    public static async Task DrainAsync(HttpRequest request, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            while (await request.Body.ReadAsync(buffer, ct) > 0)
            {
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Over twice the limit: the caller still answers, in its own format.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
