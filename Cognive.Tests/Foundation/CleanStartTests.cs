using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Foundation;

/// <summary>Boots of its own: a start on a fresh state folder and a restart on it, as a new user's first two runs.</summary>
[Collection(BootsOwnAppHost.Name)]
public sealed class CleanStartTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_first_start_and_a_restart_log_no_error_and_no_stack_trace()
    {
        var ct = TestContext.Current.CancellationToken;
        using var state = new TestStateFolder();
        foreach (var boot in new[] { "first start", "restart" })
        {
            await using (var app = await CogniveApp.StartAsync(state.Path, ct))
            {
                // The agents join the swarm once healthy (both replicas ensure the same agent): that is part of the start.
                var agents = app.Faults.InstancesOf("agents");
                Assert.Equal(2, agents.Count);
                foreach (var agent in agents)
                {
                    Assert.Contains("Joined the swarm", await ResourceLog.ReadAsync(app.App, agent, "Joined the swarm", CogniveApp.BootTimeout, ct));
                }

                Assert.True(app.Faults.Lines.Count == 0, $"The {boot} logged faults:\n{string.Join('\n', app.Faults.Lines)}");
            }

            Assert.Empty(await ServerProcesses.WaitUntilNoneUseAsync(state.Path, ShutdownTimeout));
        }
    }
}
