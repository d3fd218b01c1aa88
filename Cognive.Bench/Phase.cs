using System.Diagnostics;

namespace Cognive.Bench;

/// <summary>One load phase: its accepted throughput, latencies and the cores each process group used meanwhile.</summary>
public sealed record Phase(double EventsPerSecond, Latencies Latencies, IReadOnlyDictionary<string, double> Cores)
{
    public static async Task<Phase> RunAsync(IngestionLoad load, Func<Task<Latencies>> drive)
    {
        var acceptedBefore = load.AcceptedEvents;
        var (latencies, seconds, cores) = await WithCpuAsync(drive);
        return new Phase((load.AcceptedEvents - acceptedBefore) / seconds, latencies, cores);
    }

    /// <summary>Runs <paramref name="drive"/> and says how long it took and how many cores each process group used meanwhile.</summary>
    public static async Task<(T Result, double Seconds, IReadOnlyDictionary<string, double> Cores)> WithCpuAsync<T>(Func<Task<T>> drive)
    {
        var cpuBefore = ProcessSampler.CpuSeconds();
        var clock = Stopwatch.StartNew();
        var result = await drive();
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuAfter = ProcessSampler.CpuSeconds();
        var cores = cpuAfter.GroupBy(c => c.Key.Split(' ')[0])
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Value - cpuBefore.GetValueOrDefault(c.Key)) / seconds);
        return (result, seconds, cores);
    }

    public void PrintCpu() => PrintCpu(Cores);

    public static void PrintCpu(IReadOnlyDictionary<string, double> cores, string during = "") => Report.Line($"CPU{during} (cores): " + string.Join(", ",
        cores.Where(c => c.Value >= 0.005).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:F2}")));
}

public static class Report
{
    public static void Section(string title) => Console.WriteLine($"\n== {title}");

    public static void Line(string text) => Console.WriteLine(text);

    public static void PeakMemory(ProcessSampler sampler)
    {
        Section("Peak resident memory per process group (whole run; RSS summed, so PostgreSQL's shared buffers count once per backend)");
        foreach (var (group, kb) in sampler.PeakRssKb().OrderByDescending(p => p.Value))
        {
            Line($"{group,-12} {kb / 1024.0,8:F0} MiB");
        }
    }
}

public sealed record BenchOptions(TimeSpan Duration, int Agents, int BatchSize, int SustainedEventsPerSecond, long TrendCalls)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchOptions(
            TimeSpan.FromSeconds(int.Parse(Value("--duration") ?? "20")),
            int.Parse(Value("--agents") ?? "64"),
            int.Parse(Value("--batch") ?? "500"),
            int.Parse(Value("--sustained") ?? "20000"),
            long.Parse(Value("--trend-calls") ?? "10000000"));
    }
}
