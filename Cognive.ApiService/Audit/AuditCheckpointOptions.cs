using System.ComponentModel.DataAnnotations;

namespace Cognive.ApiService.Audit;

/// <summary>How often every team's chain head is checked and signed (<c>Cognive:Audit:CheckpointIntervalSeconds</c>).</summary>
public sealed class AuditCheckpointOptions
{
    public const string Section = "Cognive:Audit";

    /// <summary>Seconds between rounds: what a cut of a chain's tail could hide is at most what was added in one round.</summary>
    [Range(10, 86_400)]
    public int CheckpointIntervalSeconds { get; set; } = 300;

    public TimeSpan CheckpointInterval => TimeSpan.FromSeconds(CheckpointIntervalSeconds);
}
