namespace Cognive.Tests.Infrastructure;

/// <summary>A state folder of a test's own, under /tmp (every user can traverse it, as the servers' users must).</summary>
public sealed class TestStateFolder : IDisposable
{
    public TestStateFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cognive-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
