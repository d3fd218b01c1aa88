using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using Cognive.Gateway.Providers;
using Microsoft.Extensions.Options;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// Sends a request to its upstream and passes the answer to the client as it arrives: headers once the upstream sent
/// its own, then each read of the body (or each complete SSE event of a stream) flushed at once, while the usage is read
/// on the side. The client's disconnect cancels the upstream request; an upstream silent for
/// <see cref="GatewayOptions.UpstreamTimeoutSeconds"/> (before its headers or between two reads) fails the call with 504,
/// or with an error event when a stream has begun.
/// </summary>
public sealed class Forwarder(IHttpClientFactory clients, IOptions<GatewayOptions> options)
{
    public const string ClientName = "upstream";

    /// <summary>What a non-streamed answer keeps to read its usage from; a larger answer passes through uncounted.</summary>
    private const int MaxKeptBytes = 8 * 1024 * 1024;

    private const int MaxErrorBodyBytes = 16 * 1024;

    public async Task<Outcome> ForwardAsync(HttpContext http, Connection connection, string path, byte[] body, bool stream,
        bool removeUsageChunk)
    {
        var started = Stopwatch.GetTimestamp();
        var limit = TimeSpan.FromSeconds(options.Value.UpstreamTimeoutSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(limit);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(connection.BaseUrl, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        if (stream)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Outcome.Failed("client_disconnected", null);
        }
        catch (OperationCanceledException)
        {
            await OpenAiErrors.WriteAsync(http, StatusCodes.Status504GatewayTimeout,
                $"The upstream '{connection.Name}' did not answer within {limit.TotalSeconds:0} seconds.", "upstream_error", "upstream_timeout");
            return Outcome.Failed("upstream_timeout", null);
        }
        catch (HttpRequestException e)
        {
            await OpenAiErrors.WriteAsync(http, StatusCodes.Status502BadGateway,
                $"The upstream '{connection.Name}' could not be reached: {e.Message}", "upstream_error", "upstream_unreachable");
            return Outcome.Failed("upstream_unreachable", null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                await PassErrorAsync(http, connection, response, timeout.Token);
                return Outcome.Failed($"upstream_{status}", status);
            }

            http.Response.StatusCode = status;
            http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await using var upstream = await response.Content.ReadAsStreamAsync(timeout.Token);
            try
            {
                return stream && response.Content.Headers.ContentType?.MediaType == "text/event-stream"
                    ? await new SseRelay(upstream, http.Response.BodyWriter, removeUsageChunk, started).RelayAsync(timeout, limit)
                    : await CopyAsync(upstream, http, timeout, limit, started, status);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return Outcome.Failed("client_disconnected", status);
            }
            catch (OperationCanceledException)
            {
                if (stream)
                {
                    await http.Response.BodyWriter.WriteAsync(OpenAiErrors.StreamEvent(
                        $"The upstream '{connection.Name}' stopped sending for {limit.TotalSeconds:0} seconds.", "upstream_error", "upstream_timeout"));
                }
                else
                {
                    // Part of the JSON went out with a 200: only a broken connection tells the client it is incomplete.
                    http.Abort();
                }

                return Outcome.Failed("upstream_timeout", status);
            }
            catch (IOException)
            {
                http.Abort();
                return Outcome.Failed("upstream_broken", status);
            }
        }
    }

    /// <summary>Each read goes to the client at once; a copy (up to <see cref="MaxKeptBytes"/>) gives the usage at the end.</summary>
    private static async Task<Outcome> CopyAsync(Stream upstream, HttpContext http, CancellationTokenSource timeout, TimeSpan limit,
        long started, int status)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var kept = new MemoryStream();
        long? firstByte = null;
        try
        {
            while (true)
            {
                timeout.CancelAfter(limit);
                var read = await upstream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                firstByte ??= Stopwatch.GetTimestamp();
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), timeout.Token);
                if (kept.Length + read <= MaxKeptBytes)
                {
                    kept.Write(buffer, 0, read);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var usage = kept.Length < MaxKeptBytes ? Usage.Read(kept.GetBuffer().AsMemory(0, (int)kept.Length)) : null;
        return new Outcome(true, null, status, usage, firstByte is { } at ? Stopwatch.GetElapsedTime(started, at) : null);
    }

    /// <summary>
    /// An upstream's error keeps its status; its body passes through when it is JSON (OpenAI-compatible upstreams answer in
    /// OpenAI's format), and is wrapped in that format otherwise.
    /// </summary>
    private static async Task PassErrorAsync(HttpContext http, Connection connection, HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                http.Response.Headers.RetryAfter = retryAfter.ToString();
            }

            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await body.CopyToAsync(http.Response.Body, ct);
            return;
        }

        var text = await ReadPrefixAsync(response, ct);
        await OpenAiErrors.WriteAsync(http, status, $"The upstream '{connection.Name}' answered {status}: {text}", "upstream_error",
            $"upstream_{status}", response.Headers.RetryAfter?.Delta);
    }

    private static async Task<string> ReadPrefixAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new byte[MaxErrorBodyBytes];
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var length = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length).Trim();
    }
}

/// <param name="Error">Why the call failed (null when it succeeded): recorded in the call's metadata.</param>
/// <param name="UpstreamStatus">The upstream's status, when it answered.</param>
/// <param name="FirstChunk">Time from sending to the upstream's first byte (first SSE event for streams).</param>
public sealed record Outcome(bool Succeeded, string? Error, int? UpstreamStatus, Usage? Usage, TimeSpan? FirstChunk)
{
    public static Outcome Failed(string error, int? upstreamStatus) => new(false, error, upstreamStatus, null, null);
}
