using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Swarm;

/// <summary>
/// A Cognive of its own for recovery under repeated failure (it quarantines its agent kind, which would starve the
/// shared app's agents): one agent replica and its spare, fast heartbeats, a short grace, a 30-second cooldown, and a
/// replica added by recovery taken back after 15 healthy seconds. No console and no gateway.
/// </summary>
public sealed class CrashLoopApp : IAsyncLifetime
{
    public const int CooldownSeconds = 30;
    public const int ScaleDownAfterSeconds = 15;
    private readonly TestStateFolder _state = new();
    private CogniveApp? _app;

    public CogniveApp App => _app ?? throw new InvalidOperationException("The app has not started.");

    public async ValueTask InitializeAsync() => _app = await CogniveApp.StartAsync(_state.Path,
    [
        "--Cognive:AgentReplicas=1", "--Cognive:Agents:HeartbeatSeconds=1", "--Cognive:Swarm:HeartbeatTimeoutSeconds=4",
        "--Cognive:Swarm:Recovery:GraceSeconds=1", $"--Cognive:Swarm:Recovery:CooldownSeconds={CooldownSeconds}",
        $"--Cognive:Swarm:Recovery:ScaleDownAfterSeconds={ScaleDownAfterSeconds}",
    ], ["api", "workers", "swarm-queen", "agents", "agents-spare"], TestContext.Current.CancellationToken); // workers deliver the alerts' webhooks

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
