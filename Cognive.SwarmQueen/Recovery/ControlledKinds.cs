namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// The agent kinds a recovery port may act on, each with its published replica count, given at start
/// (<c>Cognive:Swarm:Control:Kinds:{i}:Name|Replicas</c>, written by the AppHost and by the publish step): whatever a
/// team registers, no other process is restarted, deleted or scaled, and no kind is scaled below its count.
/// </summary>
public sealed class ControlledKinds(IReadOnlyDictionary<string, int> replicas)
{
    public const string Section = "Cognive:Swarm:Control:Kinds";

    public static ControlledKinds From(IConfiguration configuration) => new(configuration.GetSection(Section).GetChildren()
        .Where(k => k["Name"] is { Length: > 0 })
        .ToDictionary(k => k["Name"]!, k => int.TryParse(k["Replicas"], out var count) ? count : 1, StringComparer.Ordinal));

    /// <summary>The replicas the kind was published with (the floor of scaling down).</summary>
    public int PublishedReplicas(string kind) => replicas[kind];

    /// <summary>The port's answer for a kind it may not act on; null for one it may.</summary>
    public PortResult? Refusal(RecoveryTarget target) => replicas.ContainsKey(target.Kind)
        ? null
        : PortResult.Refused($"'{target.Kind}' is none of the kinds this installation recovers ({string.Join(", ", replicas.Keys)})");
}
