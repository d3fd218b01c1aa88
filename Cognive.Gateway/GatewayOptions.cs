using System.ComponentModel.DataAnnotations;

namespace Cognive.Gateway;

/// <summary>The gateway's tuning (<c>Cognive:Gateway</c>, passed by the AppHost), validated on start.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Cognive:Gateway";

    /// <summary>How long an upstream may take to answer (headers, then each chunk of a stream) before the call fails with 504.</summary>
    [Range(1, 3600)]
    public int UpstreamTimeoutSeconds { get; set; } = 120;

    /// <summary>The output a budget reservation holds for a request that names no <c>max_tokens</c>/<c>max_completion_tokens</c>.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxOutputTokens { get; set; } = 1024;

    /// <summary>
    /// Where the gateway spools the calls it answered until RabbitMQ confirms them (<see cref="Calls.CallSpool"/>): a folder
    /// that outlives the process (the AppHost passes one in its state folder; in Kubernetes the pod's <c>/tmp</c> volume
    /// outlives a container's restart). Gateways sharing it replay each other's segments when one dies.
    /// </summary>
    [Required]
    public string SpoolDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "cognive-gateway-spool");

    /// <summary>
    /// A non-streamed answer up to this size is read whole before it goes out, so it carries its cost
    /// (<c>Cognive-Cost-Usd</c>) and is counted; a larger one passes through as it arrives, uncounted.
    /// </summary>
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public int MaxWholeAnswerBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The largest request body <c>/v1/chat/completions</c> and <c>/v1/embeddings</c> take; larger ones are refused with 413.</summary>
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// The largest OTLP/HTTP export body, before and after gzip; larger ones are refused with 413. Far above an SDK's batch
    /// (512 spans ≈ 0.3 MB), far below what would strain a replica.
    /// </summary>
    [Range(1024 * 1024, 256 * 1024 * 1024)]
    public int MaxOtlpRequestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long an OTLP trace keeps its run key (<c>otel_trace_runs</c>): spans of a trace exported within it join the
    /// trace's run; later ones start another. Longer than any trace lasts plus the time its exporters retry.
    /// </summary>
    [Range(1, 3650)]
    public int TraceRunRetentionDays { get; set; } = 7;
}
