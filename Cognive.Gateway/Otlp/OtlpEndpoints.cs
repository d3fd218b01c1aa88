using System.Security.Claims;
using System.Text.Json;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.Gateway.Otlp.Wire;
using Cognive.Ingestion;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cognive.Gateway.Otlp;

/// <summary>
/// OTLP/HTTP trace ingestion (<c>POST /v1/traces</c>), answered as the OTLP specification asks: 200 with an
/// ExportTraceServiceResponse (partial success: rejected spans and why) in the request's encoding; 400 for a body
/// that does not decode, 413 for one over <see cref="GatewayOptions.MaxOtlpRequestBytes"/>, 503 with Retry-After when the queue is
/// down (exporters retry those), each with a google.rpc.Status body; 415 for any other content type or encoding.
/// </summary>
public static class OtlpEndpoints
{
    private const int RetryAfterSeconds = 5;
    private const int InvalidArgument = 3;
    private const int ResourceExhausted = 8;
    private const int Unavailable = 14;

    public static IEndpointRouteBuilder MapOtlpEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/traces", ExportAsync).WithTags("OTLP").RequireAuthorization(Permissions.TelemetryWrite);
        return app;
    }

    private static async Task<Results<OtlpAnswer, ProblemHttpResult>> ExportAsync(HttpContext http, ClaimsPrincipal user,
        OtlpIngestor ingestor, IOptions<GatewayOptions> options, CancellationToken ct)
    {
        if (OtlpBody.EncodingOf(http.Request) is not { } encoding)
        {
            return Unsupported("OTLP/HTTP bodies are application/x-protobuf or application/json.");
        }

        var contentEncoding = http.Request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (contentEncoding is not ("" or "identity" or "gzip"))
        {
            return Unsupported("OTLP/HTTP bodies are sent as they are or with Content-Encoding: gzip.");
        }

        OtlpTraces traces;
        try
        {
            var maxBytes = options.Value.MaxOtlpRequestBytes;
            using var body = await OtlpBody.ReadAsync(http.Request, encoding, contentEncoding == "gzip", maxBytes, ct);
            if (body is null)
            {
                return OtlpAnswer.Status(encoding, StatusCodes.Status413PayloadTooLarge, ResourceExhausted,
                    $"The body is over {maxBytes} bytes (after decompression): export smaller batches.");
            }

            traces = body.Decode();
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or JsonException or InvalidDataException)
        {
            return OtlpAnswer.Status(encoding, StatusCodes.Status400BadRequest, InvalidArgument,
                $"The body is not an ExportTraceServiceRequest in {(encoding == OtlpEncoding.Json ? "OTLP/JSON" : "protobuf")}: {e.Message}");
        }

        try
        {
            var caller = new OtlpCaller(Callers.TeamIdOf(user), Callers.ActorOf(user), http.RequestId(), http.Connection.RemoteIpAddress?.ToString());
            var outcome = await ingestor.IngestAsync(caller, traces, ct);
            return OtlpAnswer.Export(encoding, outcome.Rejected, outcome.Message);
        }
        catch (IngestionUnavailableException)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
            return OtlpAnswer.Status(encoding, StatusCodes.Status503ServiceUnavailable, Unavailable,
                $"The event queue is unavailable; nothing was accepted. Retry after {RetryAfterSeconds} seconds.");
        }
    }

    private static ProblemHttpResult Unsupported(string detail) =>
        TypedResults.Problem(type: "https://cognive.dev/problems/otlp-unsupported-media-type", title: "Unsupported media type",
            statusCode: StatusCodes.Status415UnsupportedMediaType, detail: detail);
}

/// <summary>An OTLP answer: a status code and a protobuf or JSON body.</summary>
public sealed class OtlpAnswer : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private readonly byte[] _body;

    private OtlpAnswer(OtlpEncoding encoding, int statusCode, byte[] body)
    {
        StatusCode = statusCode;
        ContentType = encoding == OtlpEncoding.Json ? "application/json" : "application/x-protobuf";
        _body = body;
    }

    public int? StatusCode { get; }

    public string ContentType { get; }

    public static OtlpAnswer Export(OtlpEncoding encoding, long rejectedSpans, string? message) =>
        new(encoding, StatusCodes.Status200OK, OtlpAnswers.ExportResponse(encoding, rejectedSpans, message));

    public static OtlpAnswer Status(OtlpEncoding encoding, int statusCode, int code, string message) =>
        new(encoding, statusCode, OtlpAnswers.Status(encoding, code, message));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode!.Value;
        httpContext.Response.ContentType = ContentType;
        httpContext.Response.ContentLength = _body.Length;
        return httpContext.Response.Body.WriteAsync(_body).AsTask();
    }
}
