using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting;

/// <summary>
/// The folder where the process-form servers keep their data and generated passwords, so a second run
/// finds the same databases. Default: <c>.cognive/</c> beside the AppHost's folder; <c>Cognive:StateDir</c> overrides.
/// </summary>
public sealed class StateFolder
{
    public const string Key = "Cognive:StateDir";
    private const string SecretsFileName = "secrets.json";

    private StateFolder(string path) => Path = path;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public static StateFolder Open(IConfiguration configuration, string appHostDirectory)
    {
        var configured = configuration[Key];
        var path = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(appHostDirectory, "..", ".cognive")
            : configured);

        try
        {
            Directory.CreateDirectory(path);
            var probe = System.IO.Path.Combine(path, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new CogniveHostingException(
                $"The state folder '{path}' is not writable ({e.Message}). " +
                $"Fix its permissions or choose another folder with --{Key}=<path>.");
        }

        // Other users (postgres, rabbitmq) must be able to reach their own sub-folders.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                   UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return new StateFolder(path);
    }

    /// <summary>
    /// Returns the password stored under <paramref name="name"/>, generating and saving it on first use.
    /// The file is readable by its owner only.
    /// </summary>
    public string GetOrCreatePassword(string name)
    {
        var file = Combine(SecretsFileName);
        var secrets = File.Exists(file)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? []
            : [];

        if (secrets.TryGetValue(name, out var existing))
        {
            return existing;
        }

        // Letters and digits only: the value goes into URIs and configuration files unescaped.
        var password = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        secrets[name] = password;
        SecretFile.Write(file, JsonSerializer.Serialize(secrets, new JsonSerializerOptions { WriteIndented = true }));
        return password;
    }
}
