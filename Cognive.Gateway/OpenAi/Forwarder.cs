using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using Cognive.Gateway.Calls;
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
public sealed class Forwarder(Upstream upstreams, IOptions<GatewayOptions> options)
{
    private const int MaxErrorBodyBytes = 16 * 1024;

    public const string CostHeader = "Cognive-Cost-Usd";

    /// <param name="settlement">Records the call before the answer's last bytes, and gives its cost to send with it.</param>
    public async Task<Outcome> ForwardAsync(HttpContext http, Connection connection, string path, byte[] body, bool stream,
        bool removeUsageChunk, CallSettlement settlement)
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
            response = await upstreams.SendAsync(request, timeout.Token);
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
                if (stream && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
                {
                    return await new SseRelay(upstream, http.Response.BodyWriter, removeUsageChunk, started)
                        .RelayAsync(timeout, limit, settlement);
                }

                return await CopyAsync(upstream, http, settlement, response.Content.Headers.ContentLength, timeout, limit, started, status);
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

    /// <summary>
    /// An answer up to <see cref="GatewayOptions.MaxWholeAnswerBytes"/> is read whole, recorded, then sent with its length and
    /// cost. A larger one goes out as it arrives, each read at once, and is recorded uncounted (its usage is not read).
    /// </summary>
    private async Task<Outcome> CopyAsync(Stream upstream, HttpContext http, CallSettlement settlement, long? length,
        CancellationTokenSource timeout, TimeSpan limit, long started, int status)
    {
        var maxWhole = options.Value.MaxWholeAnswerBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var whole = new MemoryStream(length is { } known && known <= maxWhole ? (int)known : 0);
        long? firstByte = null;
        try
        {
            int read;
            while (true)
            {
                timeout.CancelAfter(limit);
                read = await upstream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return await SendWholeAsync(http, settlement, whole, status, firstByte is { } at ? Stopwatch.GetElapsedTime(started, at) : null);
                }

                firstByte ??= Stopwatch.GetTimestamp();
                if (whole.Length + read > maxWhole)
                {
                    break;
                }

                whole.Write(buffer, 0, read);
            }

            await http.Response.Body.WriteAsync(whole.GetBuffer().AsMemory(0, (int)whole.Length), timeout.Token);
            do
            {
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), timeout.Token);
                timeout.CancelAfter(limit);
            }
            while ((read = await upstream.ReadAsync(buffer, timeout.Token)) > 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new Outcome(true, null, status, null, Stopwatch.GetElapsedTime(started, firstByte!.Value));
    }

    private static async Task<Outcome> SendWholeAsync(HttpContext http, CallSettlement settlement, MemoryStream whole, int status,
        TimeSpan? firstByte)
    {
        var answer = whole.GetBuffer().AsMemory(0, (int)whole.Length);
        var outcome = new Outcome(true, null, status, Usage.Read(answer), firstByte);
        if (await settlement.SettleAsync(outcome) is { } cost)
        {
            http.Response.Headers[CostHeader] = cost;
        }

        http.Response.ContentLength = answer.Length;
        await http.Response.Body.WriteAsync(answer, http.RequestAborted);
        return outcome;
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
