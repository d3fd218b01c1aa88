using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Cognive.Hosting.Postgres;

/// <summary><c>scripts/backup.sh</c>, the one place that drives pgBackRest, run from the AppHost.</summary>
internal static class BackupScript
{
    public static string Locate(string appHostDirectory) =>
        Path.GetFullPath(Path.Combine(appHostDirectory, "..", "scripts", "backup.sh"));

    /// <summary>Runs the script with <paramref name="args"/> (the script first), its output into the resource's log.</summary>
    public static async Task<(bool Succeeded, string Output)> RunAsync(IReadOnlyList<string> args, ILogger logger, CancellationToken ct)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var text = (await output + await errors).Trim();
        if (process.ExitCode == 0)
        {
            logger.LogInformation("backup.sh {Command}: {Output}", args[^1], text);
            return (true, text);
        }

        logger.LogWarning("backup.sh {Command} exited with {ExitCode}: {Output}", args[^1], process.ExitCode, text);
        return (false, text);
    }
}
