using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting;

/// <summary>Finds a server's executable among the machine's installed binaries.</summary>
public static class InstalledServer
{
    /// <param name="configuration">Read for <c>Cognive:Binaries:{server}</c>, the folder holding the executable.</param>
    /// <param name="server">The configuration name of the server, e.g. <c>Postgres</c>.</param>
    /// <param name="executable">The file name, e.g. <c>postgres</c>.</param>
    /// <param name="defaultFolders">Where Debian's package puts it.</param>
    /// <param name="debianPackage">What to install when it is missing.</param>
    public static string Locate(IConfiguration configuration, string server, string executable,
        IEnumerable<string> defaultFolders, string debianPackage)
    {
        var key = $"Cognive:Binaries:{server}";
        var configured = configuration[key];
        var folders = configured is null ? defaultFolders : [configured];

        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new CogniveHostingException(
            $"'{executable}' was not found (looked in {string.Join(", ", folders)}). " +
            $"Install the Debian package: apt-get install -y {debianPackage}" +
            (configured is null ? "" : $", or correct {key}") +
            $"; or run the servers as containers with --{ServerFormSetting.Key}=containers where Docker or Podman runs.");
    }

    /// <summary>The newest PostgreSQL major version's bin folder that Debian's packages installed.</summary>
    public static IEnumerable<string> DebianPostgresFolders() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
}
