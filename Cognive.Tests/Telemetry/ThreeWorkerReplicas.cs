using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>A Cognive of its own whose workers run as three replicas (<c>Cognive:WorkerReplicas=3</c>), competing for the queue.</summary>
public sealed class ThreeWorkerReplicas : IAsyncLifetime
{
    public const int Replicas = 3;
    private readonly TestStateFolder _state = new();
    private CogniveApp? _app;

    public CogniveApp App => _app ?? throw new InvalidOperationException("The app has not started.");

    public async ValueTask InitializeAsync() =>
        _app = await CogniveApp.StartAsync(_state.Path, [$"--Cognive:WorkerReplicas={Replicas}"], CogniveApp.IngestionServices, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            await ServerProcesses.WaitUntilNoneUseAsync(_state.Path, TimeSpan.FromSeconds(60));
        }

        _state.Dispose();
    }
}
