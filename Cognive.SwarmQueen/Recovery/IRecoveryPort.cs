namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// Where recovery acts on processes. Locally, the AppHost's resource API (<see cref="AppHostRecoveryPort"/>); in
/// Kubernetes, the cluster's API (<see cref="KubernetesRecoveryPort"/>); with neither, nothing is acted on and tasks
/// still fail over (<see cref="NoProcessControl"/>).
/// </summary>
public interface IRecoveryPort
{
    /// <summary>Restarts the instance's process gracefully (the same replica or pod comes back).</summary>
    Task<PortResult> RestartAsync(RecoveryTarget target, CancellationToken ct);

    /// <summary>Throws the instance's process away and starts a fresh one in its place.</summary>
    Task<PortResult> RecreateAsync(RecoveryTarget target, CancellationToken ct);

    /// <summary>Adds one instance of the kind.</summary>
    Task<PortResult> ScaleUpAsync(RecoveryTarget target, CancellationToken ct);

    /// <summary>Removes one instance a scale-up added (never one the kind was published with); Gone when none is left to remove.</summary>
    Task<PortResult> ScaleDownAsync(RecoveryTarget target, CancellationToken ct);
}

/// <param name="Kind">The agent kind: the AppHost resource or the Kubernetes deployment.</param>
/// <param name="Host">The replica or pod, when the instance said which.</param>
public sealed record RecoveryTarget(string Kind, string? Host);

/// <param name="Gone">The replica or pod no longer exists (a previous run's, or replaced by its Deployment): there is
/// nothing left to recover, and the instance is retired rather than escalated.</param>
public sealed record PortResult(bool Succeeded, string Detail, bool Gone = false)
{
    public static PortResult Refused(string detail) => new(false, detail);

    public static PortResult NoLonger(string detail) => new(false, detail, Gone: true);
}

/// <summary>No process control configured: process actions are refused (and recorded as such); tasks still fail over.</summary>
public sealed class NoProcessControl : IRecoveryPort
{
    private static readonly Task<PortResult> Refusal = Task.FromResult(PortResult.Refused("no process control is configured"));

    public Task<PortResult> RestartAsync(RecoveryTarget target, CancellationToken ct) => Refusal;

    public Task<PortResult> RecreateAsync(RecoveryTarget target, CancellationToken ct) => Refusal;

    public Task<PortResult> ScaleUpAsync(RecoveryTarget target, CancellationToken ct) => Refusal;

    public Task<PortResult> ScaleDownAsync(RecoveryTarget target, CancellationToken ct) => Refusal;
}
