using System.Diagnostics;
using System.Text;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Foundation;

/// <summary>
/// The PostgreSQL of a run can still be shutting down for seconds after <c>aspire stop</c> returned; a start in that
/// window failed on its <c>postmaster.pid</c> and left every service waiting for a database that would never come.
/// </summary>
public sealed class PostgresRunScriptTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cognive-postgres-run-").FullName;
    private readonly List<Process> _started = [];

    [Fact]
    public async Task A_start_waits_for_the_previous_server_still_shutting_down_then_runs_the_server()
    {
        var ct = TestContext.Current.CancellationToken;
        // A process named "postgres" (what /proc/<pid>/comm shows), as the previous server would be.
        var previousServer = Path.Combine(_folder, "postgres");
        File.Copy("/usr/bin/sleep", previousServer); // keeps its mode: executable
        var previous = Started(Process.Start(previousServer, "120"));
        var data = Directory.CreateDirectory(Path.Combine(_folder, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "postmaster.pid"), $"{previous.Id}\n{data}\n", ct);

        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "postgres-run.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[script, "/bin/echo", "server started", "-D", data])
        {
            start.ArgumentList.Add(arg);
        }

        var run = Started(Process.Start(start)!);
        var output = new StringBuilder();
        run.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        run.BeginOutputReadLine();
        string Output() { lock (output) { return output.ToString(); } }

        await Eventually.HoldsAsync(() => Task.FromResult(Output().Contains($"waiting for the previous PostgreSQL (pid {previous.Id})")),
            "the script says it waits for the previous server", ct);
        Assert.False(run.HasExited, $"the script went on while the previous server ran: {Output()}");
        Assert.DoesNotContain("server started", Output());

        previous.Kill();
        await run.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("server started", Output());
    }

    private Process Started(Process process)
    {
        _started.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
