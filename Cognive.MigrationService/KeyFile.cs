namespace Cognive.MigrationService;

/// <summary>A file holding an API key: created closed (owner read/write only) before the key is written into it.</summary>
internal static class KeyFile
{
    public static async Task WriteAsync(string path, string key, CancellationToken ct)
    {
        await File.WriteAllTextAsync(path, "", ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllTextAsync(path, key + "\n", ct);
    }
}
