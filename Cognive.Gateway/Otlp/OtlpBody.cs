using System.Buffers;
using System.IO.Compression;
using Cognive.Gateway.Otlp.Wire;
using Microsoft.Net.Http.Headers;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// Reads an OTLP/HTTP request body into a pooled buffer: its encoding from Content-Type, gzip undone when
/// Content-Encoding says so, and never more than <see cref="GatewayOptions.MaxOtlpRequestBytes"/> (before and after
/// decompression, so a small gzip bomb is as much "too large" as a large body). A body over the limit is drained
/// (<see cref="RequestBody"/>) so the exporter reads the 413.
/// </summary>
public sealed class OtlpBody : IDisposable
{
    private OtlpBody(OtlpEncoding encoding, byte[] buffer, int length)
    {
        Encoding = encoding;
        Buffer = buffer;
        Length = length;
    }

    public OtlpEncoding Encoding { get; }

    public byte[] Buffer { get; }

    public int Length { get; }

    public static OtlpEncoding? EncodingOf(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            ? type.MediaType.Value?.ToLowerInvariant() switch
            {
                "application/x-protobuf" => OtlpEncoding.Protobuf,
                "application/json" => OtlpEncoding.Json,
                _ => null,
            }
            : null;

    /// <summary>Null when the body exceeds <paramref name="maxBytes"/>.</summary>
    /// <exception cref="InvalidDataException">A gzip body that is not gzip.</exception>
    public static async Task<OtlpBody?> ReadAsync(HttpRequest request, OtlpEncoding encoding, bool gzip, int maxBytes, CancellationToken ct)
    {
        // Kestrel's own limit must not refuse first: one byte over ours is how a body without a length is found too large.
        OversizedBodies.AllowDraining(request, maxBytes);
        if (request.ContentLength > maxBytes)
        {
            await OversizedBodies.DrainAsync(request, ct);
            return null;
        }

        await using var gunzip = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
        var source = gunzip ?? request.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and var declared ? (int)declared + 1 : 64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                var limit = Math.Min(buffer.Length, maxBytes + 1);
                if (length == limit)
                {
                    if (limit > maxBytes)
                    {
                        // Drained first: should draining fail, the catch below returns the buffer, once.
                        await OversizedBodies.DrainAsync(request, ct);
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    continue;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length, limit - length), ct);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new OtlpBody(encoding, buffer, length);
    }

    public OtlpTraces Decode() => Encoding == OtlpEncoding.Protobuf
        ? ProtobufTraceReader.Read(Buffer, Length)
        : JsonTraceReader.Read(Buffer, Length);

    public void Dispose() => ArrayPool<byte>.Shared.Return(Buffer);
}
