namespace Cognive.Hosting;

/// <summary>Files that hold a password: readable and writable by their owner only.</summary>
internal static class SecretFile
{
    public static void Write(string path, string content)
    {
        // Create it closed before any secret is in it, then write.
        File.WriteAllText(path, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(path, content);
    }
}
