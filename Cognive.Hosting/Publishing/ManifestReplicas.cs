using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Publishing;

namespace Cognive.Hosting.Publishing;

/// <summary>
/// Aspire's manifest leaves out a project's replica count. A service with replicas (<c>WithReplicas</c>) is written as
/// Aspire writes a project, plus <c>"replicas": n</c>, so the manifest carries the model's count to a deployment tool
/// that reads it (aspirate 6ad05c1 does not: README says how to set it on aspirate's output).
/// </summary>
public static class ManifestReplicas
{
    public static IDistributedApplicationBuilder AddManifestReplicas(this IDistributedApplicationBuilder builder)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            foreach (var service in e.Model.Resources.OfType<ProjectResource>()
                         .Where(s => s.Annotations.OfType<ReplicaAnnotation>().Any() && !s.Annotations.OfType<ManifestPublishingCallbackAnnotation>().Any()))
            {
                service.Annotations.Add(new ManifestPublishingCallbackAnnotation(context => WriteAsync(context, service)));
            }

            return Task.CompletedTask;
        });
        return builder;
    }

    private static async Task WriteAsync(ManifestPublishingContext context, ProjectResource service)
    {
        var metadata = service.Annotations.OfType<IProjectMetadata>().Last();
        context.Writer.WriteString("type", "project.v0");
        context.Writer.WriteString("path", context.GetManifestRelativePath(metadata.ProjectPath));
        context.Writer.WriteNumber("replicas", service.Annotations.OfType<ReplicaAnnotation>().Last().Replicas);
        await context.WriteCommandLineArgumentsAsync(service);
        await context.WriteEnvironmentVariablesAsync(service);
        context.WriteBindings(service);
    }
}
