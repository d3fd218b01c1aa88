using System.Diagnostics;
using System.Globalization;

namespace Cognive.Bench;

/// <summary>
/// The app's workers stopped (SIGSTOP) until disposed (SIGCONT): while paused, neither they nor PostgreSQL store calls;
/// RabbitMQ still takes and confirms what is published, and the workers store it once continued.
/// </summary>
public sealed class PausedWorkers : IAsyncDisposable
{
    private readonly int[] _pids;

    private PausedWorkers(int[] pids) => _pids = pids;

    public static async Task<PausedWorkers> PauseAsync()
    {
        var pids = ProcessSampler.PidsOf("workers");
        if (pids.Length == 0)
        {
            throw new InvalidOperationException("No workers process of this benchmark's app is running.");
        }

        try
        {
            await SignalAsync("STOP", pids);
        }
        catch (InvalidOperationException)
        {
            // kill fails when one of the processes is gone; the others it stopped must not stay stopped.
            await SignalAsync("CONT", pids);
            throw;
        }

        return new PausedWorkers(pids);
    }

    public async ValueTask DisposeAsync() => await SignalAsync("CONT", _pids);

    private static async Task SignalAsync(string signal, int[] pids)
    {
        using var kill = Process.Start("kill", ["-" + signal, .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {string.Join(' ', pids)} exited with {kill.ExitCode}.");
        }
    }
}
