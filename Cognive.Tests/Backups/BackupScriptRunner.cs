using System.Diagnostics;

namespace Cognive.Tests.Backups;

/// <summary>Runs <c>scripts/backup.sh</c> of this checkout against a test's state folder, as a person would.</summary>
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

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(5), ct);
        var text = await output + await errors;
        Assert.True(process.ExitCode == 0, $"backup.sh {string.Join(' ', command)} exited with {process.ExitCode}: {text}");
        return text;
    }
}
