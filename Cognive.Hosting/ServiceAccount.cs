using System.Diagnostics;

namespace Cognive.Hosting;

/// <summary>
/// PostgreSQL refuses to run as root, and RabbitMQ's scripts switch to their own user: when the AppHost runs
/// as root, those servers run as the system user their Debian package created, on folders that user owns.
/// </summary>
internal static class ServiceAccount
{
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>The command and leading arguments that run <paramref name="executable"/> as <paramref name="user"/>.</summary>
    public static (string Command, string[] Args) RunAs(string user, string executable) =>
        IsRoot ? ("runuser", ["-u", user, "--", executable]) : (executable, []);

    /// <summary>Makes <paramref name="user"/> the owner of <paramref name="path"/> and all below it (root only).</summary>
    public static void GiveTo(string user, string path)
    {
        if (!IsRoot)
        {
            return;
        }

        using var chown = Process.Start("chown", ["-R", $"{user}:{user}", path]);
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new CogniveHostingException(
                $"Could not give '{path}' to the user '{user}' (chown exited with {chown.ExitCode}). " +
                "Is the Debian package that creates that user installed?");
        }
    }
}
