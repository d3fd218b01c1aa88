using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Kubernetes;

/// <summary>A server's container memory limit in the cluster (a Kubernetes quantity), where the server's settings depend on it.</summary>
public sealed record MemoryLimitAnnotation(string Limit) : IResourceAnnotation;
