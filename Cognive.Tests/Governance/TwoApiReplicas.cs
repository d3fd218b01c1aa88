using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Governance;

/// <summary>A Cognive of its own with two API replicas, and each replica's own address (past DCP's proxy).</summary>
public sealed class TwoApiReplicas : IAsyncLifetime
{
    private readonly TestStateFolder _state = new();
    private CogniveApp? _app;

    public CogniveApp App => _app ?? throw new InvalidOperationException("The app has not started.");

    public async ValueTask InitializeAsync() =>
        _app = await CogniveApp.StartAsync(_state.Path, ["--Cognive:ApiReplicas=2"], ["api"], TestContext.Current.CancellationToken);

    /// <summary>Where each replica listens: DCP hands each its own port in ASPNETCORE_URLS.</summary>
    public IReadOnlyList<Uri> ReplicaAddresses() =>
        App.ServiceProcessIds("api").Select(service =>
        {
            var urls = ServerProcesses.EnvironmentVariable(service, "ASPNETCORE_URLS")
                ?? throw new InvalidOperationException($"API process {service} has no ASPNETCORE_URLS");
            return new Uri(urls.Split(';')[0]);
        }).ToList();

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
