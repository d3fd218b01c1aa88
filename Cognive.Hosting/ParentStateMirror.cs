using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cognive.Hosting;

internal static class ParentStateMirror
{
    /// <summary>
    /// Aspire mirrors a parent's state onto its children only for containers; a child of an executable (a database
    /// on a process-form server) gets the same here, so <c>WaitFor</c> on it works and its health checks run.
    /// </summary>
    public static IResourceBuilder<T> WithParentState<T>(this IResourceBuilder<T> child) where T : IResourceWithParent
    {
        child.ApplicationBuilder.Eventing.Subscribe<InitializeResourceEvent>(child.Resource, (e, eventCancellation) =>
        {
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = MirrorAsync(child.Resource, e.Notifications, stopping);
            return Task.CompletedTask;
        });
        return child;
    }

    private static async Task MirrorAsync(IResourceWithParent child, ResourceNotificationService notifications, CancellationToken ct)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(ct))
            {
                if (update.Resource == child.Parent)
                {
                    await notifications.PublishUpdateAsync(child, snapshot => snapshot with
                    {
                        State = update.Snapshot.State,
                        StartTimeStamp = update.Snapshot.StartTimeStamp,
                        StopTimeStamp = update.Snapshot.StopTimeStamp,
                    });
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The app is stopping.
        }
    }
}
