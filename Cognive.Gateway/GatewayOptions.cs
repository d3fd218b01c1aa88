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
}
