using System.Diagnostics;
using System.Text.Json;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Backups;

/// <summary>
/// Runs <c>scripts/backup.sh</c> of this checkout against a test's state folder, as a person would, and checks that the
/// PostgreSQL password never shows in a command line meanwhile (any user of the machine can read those).
/// </summary>
public static class BackupScriptRunner
{
    public static async Task<string> RunAsync(string stateFolder, CancellationToken ct, params string[] command)
    {
        var script = Path.GetFullPath(Path.Combine(Projects.Cognive_AppHost.ProjectPath, "..", "scripts", "backup.sh"));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[script, "--state", stateFolder, .. command])
        {
            start.ArgumentList.Add(arg);
        }

        var password = PostgresPassword(stateFolder);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        var exposedBy = WatchCommandLinesAsync(process, password, ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(5), ct);
        var text = await output + await errors;
        Assert.True(process.ExitCode == 0, $"backup.sh {string.Join(' ', command)} exited with {process.ExitCode}: {text}");
        Assert.True(await exposedBy is null, $"the PostgreSQL password was in the command line of {await exposedBy}");
        return text;
    }

    private static string PostgresPassword(string stateFolder)
    {
        using var secrets = JsonDocument.Parse(File.ReadAllText(Path.Combine(stateFolder, "secrets.json")));
        return secrets.RootElement.GetProperty("postgres-password").GetString()!;
    }

    /// <summary>The program of the first process whose command line holds <paramref name="secret"/> while the script runs; null if none.</summary>
    private static async Task<string?> WatchCommandLinesAsync(Process script, string secret, CancellationToken ct)
    {
        while (!script.HasExited)
        {
            if (ServerProcesses.All().Select(ServerProcesses.CommandLine).FirstOrDefault(line => line.Contains(secret, StringComparison.Ordinal)) is { } exposed)
            {
                return exposed.Split(' ')[0];
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }

        return null;
    }
}
