using System.Diagnostics;
using System.Reflection;

namespace Cognive.Tests.Infrastructure;

/// <summary>Runs the built AppHost as a person would from the command line (publishing needs no test builder).</summary>
public static class AppHostCommand
{
    private static readonly string Configuration =
        typeof(AppHostCommand).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> appHostArgs, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["run", "--no-build", "--no-launch-profile", "-c", Configuration,
                     "--project", Projects.Cognive_AppHost.ProjectPath, "--", .. appHostArgs])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(timeout, ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await output + await error);
    }
}
