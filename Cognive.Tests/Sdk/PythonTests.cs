using System.Diagnostics;
using System.Text;

namespace Cognive.Tests.Sdk;

/// <summary>
/// Runs tests of sdk/python with <c>python3 -m unittest</c>, pointed at a Cognive API. A test that needs the .NET side
/// to act (restart a service) prints <c>COGNIVE-TEST &lt;signal&gt;</c> and reads the answer from its stdin.
/// </summary>
public static class PythonTests
{
    private const string SignalPrefix = "COGNIVE-TEST ";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>sdk/python in the repository the AppHost project belongs to (the folder holding Cognive.sln).</summary>
    public static string PackageFolder { get; } = Path.Combine(RepositoryRoot(Projects.Cognive_AppHost.ProjectPath), "sdk", "python");

    private static string RepositoryRoot(string path)
    {
        for (var folder = new DirectoryInfo(path); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Cognive.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Cognive.sln above {path}");
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string test, Uri baseUrl, string apiKey,
        Func<string, CancellationToken, Task<string>>? onSignal, CancellationToken ct)
    {
        var start = new ProcessStartInfo("python3")
        {
            WorkingDirectory = PackageFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["PYTHONPATH"] = Path.Combine(PackageFolder, "src"),
                ["PYTHONDONTWRITEBYTECODE"] = "1",
                ["COGNIVE_BASE_URL"] = baseUrl.ToString(),
                ["COGNIVE_API_KEY"] = apiKey,
            },
        };
        foreach (var arg in (string[])["-m", "unittest", "-v", test])
        {
            start.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await AnswerSignalsAsync(process, output, onSignal, ct).WaitAsync(Timeout, ct);
            await process.WaitForExitAsync(ct).WaitAsync(Timeout, ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, output.Append(await errors).ToString());
    }

    private static async Task AnswerSignalsAsync(Process process, StringBuilder output,
        Func<string, CancellationToken, Task<string>>? onSignal, CancellationToken ct)
    {
        while (await process.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            output.AppendLine(line);
            if (line.StartsWith(SignalPrefix, StringComparison.Ordinal))
            {
                var signal = line[SignalPrefix.Length..].Trim();
                var answer = onSignal is null ? "unsupported" : await onSignal(signal, ct);
                await process.StandardInput.WriteLineAsync(answer.AsMemory(), ct);
                await process.StandardInput.FlushAsync(ct);
            }
        }
    }
}
