namespace Cognive.Tests.Infrastructure;

/// <summary>Finds the processes that belong to a state folder: their command line or environment names it.</summary>
public static class ServerProcesses
{
    public static IReadOnlyList<int> UsingStateFolder(string stateFolder) =>
        All().Where(pid => pid != Environment.ProcessId && Mentions(pid, stateFolder)).ToList();

    /// <summary>Every process of the machine, by its id.</summary>
    public static IEnumerable<int> All() =>
        Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(System.IO.Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    /// <summary>The process and everything it started, children first to last descendant.</summary>
    public static IReadOnlyList<int> SelfAndDescendants(int pid)
    {
        var parents = All()
            .Select(child => (Child: child, Parent: ParentOf(child)))
            .ToList();
        var family = new List<int> { pid };
        for (var i = 0; i < family.Count; i++)
        {
            family.AddRange(parents.Where(p => p.Parent == family[i]).Select(p => p.Child));
        }

        return family;
    }

    /// <summary>The command line, arguments separated by spaces; empty for a process that is gone.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>A variable of the process's environment as it started; null when it has none (or is gone).</summary>
    public static string? EnvironmentVariable(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0')
                .FirstOrDefault(entry => entry.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !IsZombie(pid);

    /// <summary>Polls until no process uses the folder; returns those still alive at the deadline.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilNoneUseAsync(string stateFolder, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var alive = UsingStateFolder(stateFolder).Where(IsAlive).ToList();
            if (alive.Count == 0 || DateTime.UtcNow > deadline)
            {
                return alive;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static bool Mentions(int pid, string text)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains(text, StringComparison.Ordinal) ||
                   File.ReadAllText($"/proc/{pid}/environ").Contains(text, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone meanwhile
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // The command name in parentheses may hold spaces; the fields after its closing parenthesis do not.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
