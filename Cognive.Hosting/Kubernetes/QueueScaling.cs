using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s.Models;

namespace Cognive.Hosting.Kubernetes;

/// <summary>A service that consumes a RabbitMQ queue and scales out with its depth in the cluster.</summary>
public sealed record QueueScalingAnnotation(string Queue) : IResourceAnnotation;

public static class QueueScalingExtensions
{
    public static IResourceBuilder<ProjectResource> WithQueueScaling(this IResourceBuilder<ProjectResource> service, string queue) =>
        service.WithAnnotation(new QueueScalingAnnotation(queue));
}

/// <summary>
/// How a queue consumer scales in the cluster: with <c>Cognive:Kubernetes:Keda=true</c> (clusters that run KEDA) a
/// <c>ScaledObject</c> on the queue's depth (and CPU) with the RabbitMQ connection string from the consumer's own Secret;
/// otherwise a CPU HorizontalPodAutoscaler, so a cluster without KEDA's CRDs applies the tree as it is.
/// From the model's replica count to <see cref="MaxReplicas"/>.
/// </summary>
public sealed class QueueScalingManifests(ClusterTopology topology, KubernetesOptions options)
{
    public const int MaxReplicas = 10;

    /// <summary>Messages waiting per replica before KEDA adds one (a message is a batch of up to 100 events).</summary>
    public const int MessagesPerReplica = 200;

    public const int CpuUtilization = 70;

    /// <summary>Where KEDA's operator runs (Helm's default), admitted to the queue's server by the network policies.</summary>
    public const string KedaNamespace = "keda";

    public static bool ScalesOnQueue(IResource workload) => workload.Annotations.OfType<QueueScalingAnnotation>().Any();

    public IEnumerable<object> Build(IResource workload)
    {
        var queue = workload.Annotations.OfType<QueueScalingAnnotation>().Last().Queue;
        var name = workload.Name;
        var min = topology.Replicas(workload);
        if (!options.Keda)
        {
            yield return EdgeManifests.CpuAutoscaler(name, min, MaxReplicas, CpuUtilization);
            yield break;
        }

        var labels = WorkloadManifests.Labels(name);
        yield return new Dictionary<string, object>
        {
            ["apiVersion"] = "keda.sh/v1alpha1",
            ["kind"] = "TriggerAuthentication",
            ["metadata"] = new Dictionary<string, object> { ["name"] = $"{name}-rabbitmq", ["labels"] = labels },
            ["spec"] = new Dictionary<string, object>
            {
                ["secretTargetRef"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["parameter"] = "host", ["name"] = $"{name}-secrets", ["key"] = $"ConnectionStrings__{QueueServer(topology, workload)}",
                    },
                },
            },
        };
        yield return new Dictionary<string, object>
        {
            ["apiVersion"] = "keda.sh/v1alpha1",
            ["kind"] = "ScaledObject",
            ["metadata"] = new Dictionary<string, object> { ["name"] = name, ["labels"] = labels },
            ["spec"] = new Dictionary<string, object>
            {
                ["scaleTargetRef"] = new Dictionary<string, object> { ["name"] = name },
                ["minReplicaCount"] = min,
                ["maxReplicaCount"] = MaxReplicas,
                ["triggers"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["type"] = "rabbitmq",
                        ["metadata"] = new Dictionary<string, object>
                        {
                            ["protocol"] = "amqp", ["queueName"] = queue, ["mode"] = "QueueLength",
                            ["value"] = MessagesPerReplica.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        },
                        ["authenticationRef"] = new Dictionary<string, object> { ["name"] = $"{name}-rabbitmq" },
                    },
                    new Dictionary<string, object>
                    {
                        ["type"] = "cpu", ["metricType"] = "Utilization",
                        ["metadata"] = new Dictionary<string, object>
                        {
                            ["value"] = CpuUtilization.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        },
                    },
                },
            },
        };
    }

    /// <summary>The RabbitMQ server the consumer references (its connection string names it).</summary>
    public static string QueueServer(ClusterTopology topology, IResource workload) =>
        topology.References(workload).SingleOrDefault(r => r.Contains("rabbitmq", StringComparison.OrdinalIgnoreCase)) ??
        throw new CogniveHostingException($"{workload.Name} scales on a queue but references no RabbitMQ server.");
}
