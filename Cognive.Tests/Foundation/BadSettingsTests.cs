using Cognive.Hosting;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Foundation;

/// <summary>Settings the AppHost cannot work with stop it before anything starts, with a message saying what to do.</summary>
[Collection(BootsOwnAppHost.Name)]
public sealed class BadSettingsTests
{
    [Fact]
    public async Task A_missing_server_binary_names_the_Debian_package()
    {
        var error = await BuildFailureAsync("--Cognive:Binaries:Postgres=/nonexistent/bin");

        Assert.Contains("'postgres' was not found", error.Message);
        Assert.Contains("apt-get install -y postgresql", error.Message);
    }

    [Fact]
    public async Task An_unknown_servers_setting_lists_the_valid_values()
    {
        var error = await BuildFailureAsync("--Cognive:Servers=kubernetes");

        Assert.Contains("Unknown Cognive:Servers value 'kubernetes'", error.Message);
        Assert.Contains("auto, containers or processes", error.Message);
    }

    [Fact]
    public async Task An_unwritable_state_folder_is_named()
    {
        using var state = new TestStateFolder();
        var blocker = Path.Combine(state.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "", TestContext.Current.CancellationToken);

        var error = await BuildFailureAsync($"--Cognive:StateDir={blocker}/state");

        Assert.Contains($"The state folder '{blocker}/state' is not writable", error.Message);
    }

    [Theory]
    [InlineData("Cognive:Agents:Llm:Organization")]
    [InlineData("Cognive:Swarm:WebhookUrl")]
    [InlineData("Cognive:Smtp:Relay")]
    public async Task A_setting_nobody_declared_is_refused_rather_than_passed_on(string key)
    {
        var error = await BuildFailureAsync($"--{key}=value", "--Cognive:Smtp:Host=127.0.0.1");

        Assert.Contains($"'{key}' is not a setting Cognive knows", error.Message);
        Assert.Contains("Known settings:", error.Message);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("0mb")]
    [InlineData("512")]
    public async Task A_Redis_memory_ceiling_that_is_not_a_size_of_at_least_16mb_is_named(string value)
    {
        var error = await BuildFailureAsync($"--Cognive:Redis:MaxMemory={value}");

        Assert.Contains("Cognive:Redis:MaxMemory", error.Message);
        Assert.Contains(value, error.Message);
    }

    [Fact]
    public async Task A_busy_service_port_is_named_before_anything_starts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var state = new TestStateFolder();
        using var holder = HoldPort(5383); // the agents' port in Properties/launchSettings.json

        // Only where ports are not randomized, as in a developer's run.
        await using var app = await CogniveApp.BuildAsync(state.Path, ["--DcpPublisher:RandomizePorts=false"], ct);
        var failure = await Record.ExceptionAsync(() => app.StartAsync(ct).WaitAsync(CogniveApp.BootTimeout, ct));

        Assert.NotNull(failure);
        Assert.Contains("Port 5383 (agents, endpoint http) is in use", Unwrap(failure).Message);
        Assert.DoesNotContain(ServerProcesses.UsingStateFolder(state.Path), ServerProcesses.IsAlive);
    }

    /// <summary>Listens on the port unless something else already does; either way it is busy.</summary>
    private static IDisposable? HoldPort(int port)
    {
        try
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return listener;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    private static async Task<Exception> BuildFailureAsync(params string[] settings)
    {
        using var state = new TestStateFolder();
        // A later argument wins, so each case can override the defaults.
        var failure = await Record.ExceptionAsync(() =>
            CogniveApp.BuildAsync(state.Path, settings, TestContext.Current.CancellationToken));

        Assert.NotNull(failure);
        return Unwrap(failure);
    }

    private static Exception Unwrap(Exception e) =>
        e is CogniveHostingException || e.InnerException is null ? e : Unwrap(e.InnerException);
}
