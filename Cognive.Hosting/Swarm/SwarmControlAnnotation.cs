using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Swarm;

/// <summary>Marks the workload that recovers the named agent kinds: published, it gets a service account allowed to act on them.</summary>
public sealed record SwarmControlAnnotation(IReadOnlyList<string> Kinds) : IResourceAnnotation;
