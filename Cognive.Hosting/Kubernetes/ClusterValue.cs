namespace Cognive.Hosting.Kubernetes;

/// <summary>A value as a pod sees it, and whether it holds a secret (then it goes into a Secret, never a ConfigMap).</summary>
public readonly record struct ClusterValue(string Value, bool IsSecret)
{
    public static ClusterValue operator +(ClusterValue left, ClusterValue right) =>
        new(left.Value + right.Value, left.IsSecret || right.IsSecret);
}
