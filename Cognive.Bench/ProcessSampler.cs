using System.Globalization;

namespace Cognive.Bench;

/// <summary>
/// Samples CPU time and resident memory of Cognive's processes from /proc, grouped by what they are (every
/// PostgreSQL backend counts as "postgres"), so each phase can report cores used and peak RSS per process group.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    private static readonly (string Group, string Marker)[] Groups =
    [
        ("api", "Cognive.ApiService"), ("workers", "Cognive.Workers"), ("postgres", "postgres"), ("rabbitmq", "beam.smp"),
        ("redis", "redis-server"), ("swarm-queen", "Cognive.SwarmQueen"), ("agents", "Cognive.Agents"), ("gateway", "Cognive.Gateway"),
        ("dcp", "dcp"),
    ];

    private static readonly long ClockTicks = 100;
    private readonly Dictionary<string, long> _peakRssKb = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly Lock _lock = new();

    public ProcessSampler() => _sampling = SampleAsync();

    /// <summary>
    /// CPU seconds used so far by each live process, keyed "&lt;group&gt; &lt;pid&gt;" (per process, so one that exits between two
    /// readings, such as a PostgreSQL backend, takes nothing from its group's other processes), then the bench's and the
    /// machine's idle and steal seconds.
    /// </summary>
    public static Dictionary<string, double> CpuSeconds()
    {
        var totals = new Dictionary<string, double>();
        foreach (var (group, pid) in Processes())
        {
            if (Stat(pid) is { } stat)
            {
                totals[$"{group} {pid}"] = (double)(stat.UserTicks + stat.SystemTicks) / ClockTicks;
            }
        }

        totals["bench"] = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        // A phase whose processes leave cores idle waits on something other than CPU; steal is CPU the hypervisor took.
        var machine = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        totals["(idle)"] = double.Parse(machine[4], CultureInfo.InvariantCulture) / ClockTicks;
        totals["(steal)"] = double.Parse(machine[8], CultureInfo.InvariantCulture) / ClockTicks;
        return totals;
    }

    /// <summary>The live processes of one group (such as "workers") of this benchmark's app.</summary>
    public static int[] PidsOf(string group) => Processes().Where(p => p.Group == group).Select(p => p.Pid).ToArray();

    public Dictionary<string, long> PeakRssKb()
    {
        lock (_lock)
        {
            return new Dictionary<string, long>(_peakRssKb);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            do
            {
                var rss = new Dictionary<string, long>();
                foreach (var (group, pid) in Processes())
                {
                    rss[group] = rss.GetValueOrDefault(group) + (Stat(pid)?.RssKb ?? 0);
                }

                rss["bench"] = Environment.WorkingSet / 1024;
                lock (_lock)
                {
                    foreach (var (group, kb) in rss)
                    {
                        _peakRssKb[group] = Math.Max(_peakRssKb.GetValueOrDefault(group), kb);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>
    /// This benchmark's own processes: DCP (which detaches, but is started to monitor this process) and its descendants,
    /// the servers and services, so other Cognive instances on the same machine — other benchmarks, test runs — count
    /// in no group.
    /// </summary>
    private static IEnumerable<(string Group, int Pid)> Processes()
    {
        var children = new Dictionary<int, List<int>>();
        var commands = new Dictionary<int, string>();
        var monitor = $"--monitor {Environment.ProcessId} ";
        var pending = new Stack<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || ParentOf(pid) is not { } parent)
            {
                continue;
            }

            (children.TryGetValue(parent, out var siblings) ? siblings : children[parent] = []).Add(pid);
            try
            {
                commands[pid] = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }

            if (commands[pid].Contains(monitor, StringComparison.Ordinal))
            {
                pending.Push(pid);
            }
        }

        while (pending.TryPop(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }

            if (!commands.TryGetValue(pid, out var command))
            {
                continue;
            }

            var executable = command.Split(' ')[0];
            foreach (var (group, marker) in Groups)
            {
                // PostgreSQL backends rename themselves "postgres: user database ...".
                if (Path.GetFileName(executable).StartsWith(marker, StringComparison.Ordinal))
                {
                    yield return (group, pid);
                    break;
                }
            }
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // After the command name: state (field 3), then the parent's pid (field 4).
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static (long UserTicks, long SystemTicks, long RssKb)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields after the command name start at "state" (field 3): utime is 14, stime 15, rss (pages) 24.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture),
                long.Parse(fields[21], CultureInfo.InvariantCulture) * Environment.SystemPageSize / 1024);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
