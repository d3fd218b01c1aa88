using System.Diagnostics;
using System.Text;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Foundation;

/// <summary>
/// The PostgreSQL of a run can still be shutting down for seconds after <c>aspire stop</c> returned; a start in that
/// window failed on its <c>postmaster.pid</c> and left every service waiting for a database that would never come. A
/// server that was killed leaves that file behind, and its pid can soon be another process's.
/// </summary>
public sealed class PostgresRunScriptTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cognive-postgres-run-").FullName;
    private readonly List<Process> _started = [];

    [Fact]
    public async Task A_start_waits_for_the_previous_server_still_shutting_down_then_runs_the_server()
    {
        var ct = TestContext.Current.CancellationToken;
        var (previous, run, output) = await StartBesidePidFileAsync(inDataFolder: true, ct);

        await Eventually.HoldsAsync(() => Task.FromResult(output().Contains($"waiting for the previous PostgreSQL (pid {previous.Id})")),
            "the script says it waits for the previous server", ct);
        Assert.False(run.HasExited, $"the script went on while the previous server ran: {output()}");
        Assert.DoesNotContain("server started", output());

        previous.Kill();
        await run.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("server started", output());
    }

    [Fact]
    public async Task A_pid_file_left_by_a_killed_server_whose_pid_is_now_another_process_does_not_hold_the_start()
    {
        var ct = TestContext.Current.CancellationToken;
        var (unrelated, run, output) = await StartBesidePidFileAsync(inDataFolder: false, ct);

        await run.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("server started", output());
        Assert.DoesNotContain("waiting", output());
        Assert.False(unrelated.HasExited);
    }

    /// <summary>
    /// A process working in the data folder (as the previous server does) or elsewhere, named by the folder's
    /// <c>postmaster.pid</c>; then postgres-run.sh on that folder, with <c>echo</c> for the server, and what it printed so far.
    /// </summary>
    private async Task<(Process Holder, Process Run, Func<string> Output)> StartBesidePidFileAsync(bool inDataFolder, CancellationToken ct)
    {
        var data = Directory.CreateDirectory(Path.Combine(_folder, "data")).FullName;
        var holder = Started(Process.Start(new ProcessStartInfo("/usr/bin/sleep", "120") { WorkingDirectory = inDataFolder ? data : _folder })!);
        await File.WriteAllTextAsync(Path.Combine(data, "postmaster.pid"), $"{holder.Id}\n{data}\n", ct);

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
        return (holder, run, () => { lock (output) { return output.ToString(); } });
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
