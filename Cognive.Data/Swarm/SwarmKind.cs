namespace Cognive.Data.Swarm;

/// <summary>
/// An agent kind (an AppHost resource or a Kubernetes Deployment) and the one team that owns it: only that team's
/// instances may register as the kind, and only they make the queen act on its processes. The installation declares
/// its own kinds' owner (the AppHost's agents belong to the <c>swarm</c> team); an operator grants others.
/// </summary>
public sealed class SwarmKind
{
    public required string Kind { get; init; }

    public Guid TeamId { get; set; }

    /// <summary>Replicas recovery added (scale-ups not yet taken back): each is removed after a healthy period.</summary>
    public int AddedReplicas { get; set; }

    public DateTimeOffset GrantedAt { get; set; }

    /// <summary>Who granted it (<c>key:&lt;prefix&gt;</c>, <c>user:&lt;id&gt;</c>, or <c>installation</c> for the AppHost's own).</summary>
    public required string GrantedBy { get; set; }
}
