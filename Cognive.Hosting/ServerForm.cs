using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting;

/// <summary>How the backing servers run: Aspire's containers, or the machine's installed binaries as processes.</summary>
public enum ServerForm
{
    Containers,
    Processes,
}

public static class ServerFormSetting
{
    public const string Key = "Cognive:Servers";

    /// <summary>
    /// Publishing always yields containers, so the manifest is exactly what Aspire's integrations emit.
    /// In run mode <c>auto</c> picks containers only where a container engine answers.
    /// </summary>
    public static ServerForm Resolve(IConfiguration configuration, bool isPublishMode)
    {
        var value = configuration[Key] ?? "auto";
        var requested = value.Trim().ToLowerInvariant() switch
        {
            "auto" => (ServerForm?)null,
            "containers" => ServerForm.Containers,
            "processes" => ServerForm.Processes,
            _ => throw new CogniveHostingException(
                $"Unknown {Key} value '{value}'. Use auto, containers or processes " +
                $"(e.g. --{Key}=processes or the environment variable Cognive__Servers=processes)."),
        };

        if (isPublishMode)
        {
            return ServerForm.Containers;
        }

        return requested ?? (ContainerEngineAnswers() ? ServerForm.Containers : ServerForm.Processes);
    }

    private static bool ContainerEngineAnswers() => Answers("docker") || Answers("podman");

    private static bool Answers(string engine)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(engine, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // the client is not installed
        }
    }
}
