using System.Diagnostics;

namespace Cognive.Bench;

/// <summary>
/// <c>exec &lt;command&gt; [args]</c>: boots Cognive, makes a team, and runs the command with COGNIVE_BASE_URL (the API
/// process's own address, past DCP's proxy) and COGNIVE_API_KEY. Benchmarks written outside .NET (the Python SDK's,
/// bench/sdk-python.sh) run against a real Cognive this way.
/// </summary>
public static class ExecBench
{
    public static async Task<int> RunAsync(BenchApp app, IReadOnlyList<string> command, CancellationToken ct)
    {
        if (command.Count == 0)
        {
            throw new ArgumentException("exec needs a command to run");
        }

        var (key, _) = await app.CreateTeamAsync(ct);
        var start = new ProcessStartInfo(command[0])
        {
            Environment =
            {
                ["COGNIVE_BASE_URL"] = (await app.DirectAddressAsync("Cognive.ApiService", ct)).ToString(),
                ["COGNIVE_API_KEY"] = key,
            },
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            await process.WaitForExitAsync(ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return process.ExitCode;
    }
}
