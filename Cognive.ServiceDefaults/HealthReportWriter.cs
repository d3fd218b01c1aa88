using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>Writes a health report as JSON naming each check, so a failing probe says which dependency is down.</summary>
internal static partial class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new HealthBody(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthEntry(entry.Value.Status.ToString(), entry.Value.Duration.TotalMilliseconds,
                    entry.Value.Description ?? entry.Value.Exception?.Message)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJsonContext.Default.HealthBody);
    }

    internal sealed record HealthBody(string Status, double DurationMs, Dictionary<string, HealthEntry> Checks);

    internal sealed record HealthEntry(string Status, double DurationMs, string? Description);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(HealthBody))]
    private sealed partial class HealthJsonContext : JsonSerializerContext;
}
