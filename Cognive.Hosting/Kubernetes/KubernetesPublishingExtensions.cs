using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cognive.Hosting.Kubernetes;

public static class KubernetesPublishingExtensions
{
    private const string PublisherKey = "Publishing:Publisher";

    /// <summary>
    /// Cognive's publishing: Aspire's manifest (<c>--publisher manifest</c>, for aspirate) and the step that
    /// <c>aspire publish -o DIR</c> runs, which writes a kustomize tree for k3s from the app model.
    /// </summary>
    public static IDistributedApplicationBuilder AddCognivePublishing(this IDistributedApplicationBuilder builder)
    {
        // Aspire treats any other publisher name as a run of the whole pipeline, which waits for a registry forever.
        if (builder.Configuration[PublisherKey] is { } publisher &&
            !string.Equals(publisher, "manifest", StringComparison.OrdinalIgnoreCase))
        {
            throw new CogniveHostingException(
                $"Unknown publisher '{publisher}'. Use --publisher manifest --output-path <file> for the Aspire manifest, " +
                "or `dotnet aspire publish -o <folder>` for the Kubernetes manifests.");
        }

        var options = KubernetesOptions.From(builder.Configuration);
        // The pipeline API is experimental in Aspire 13; this is the one place Cognive uses it.
#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004
        builder.Pipeline.AddStep("publish-kubernetes", async context =>
        {
            var output = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
            try
            {
                var files = await new KustomizeTreeWriter(context.Model, context.ExecutionContext, options, builder.Configuration, output)
                    .WriteAsync(context.CancellationToken);
                context.Logger.LogInformation("Wrote {Count} Kubernetes manifests to {Folder}", files.Count, output);
            }
            catch (Exception e)
            {
                // Aspire logs the failed step but exits 0; scripts and CI must see the failure. The console logger writes
                // from a queue that a stopping process may leave unflushed (seen in the suite on a loaded machine), so the
                // reason goes to stderr directly as well.
                Environment.ExitCode = 1;
                await Console.Error.WriteLineAsync($"publish-kubernetes failed: {e.Message}");
                throw;
            }
        }, requiredBy: WellKnownPipelineSteps.Publish);
#pragma warning restore ASPIREPIPELINES001, ASPIREPIPELINES004
        return builder;
    }

    /// <summary>
    /// For a service others wait to complete (the migrations): aspirate deploys every project of the Aspire manifest as a
    /// Deployment, which restarts a process that exits, so there it stays up once its work is done
    /// (<c>Cognive:Migrations:StayUp</c>); a failure still exits, and the restart retries. Locally and in Cognive's own
    /// tree (a Job) it exits when done.
    /// </summary>
    public static IResourceBuilder<ProjectResource> StaysUpInTheAspireManifest(this IResourceBuilder<ProjectResource> service) =>
        string.Equals(service.ApplicationBuilder.Configuration[PublisherKey], "manifest", StringComparison.OrdinalIgnoreCase)
            ? service.WithEnvironment("Cognive__Migrations__StayUp", "true")
            : service;
}
