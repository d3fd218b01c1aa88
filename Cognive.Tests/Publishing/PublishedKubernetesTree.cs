using System.Diagnostics;
using Cognive.Tests.Infrastructure;
using k8s;

namespace Cognive.Tests.Publishing;

/// <summary>The kustomize tree written by the publish step, and what <c>kubectl kustomize</c> renders from it.</summary>
public sealed class PublishedKubernetesTree : IAsyncLifetime
{
    private readonly TestStateFolder _output = new();

    public string Folder => _output.Path;

    public string Rendered { get; private set; } = "";

    public IReadOnlyList<object> Objects { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await PublishAsync(Folder, ct);
        Rendered = await RenderAsync(Folder, ct);
        Objects = KubernetesYaml.LoadAllFromString(Rendered);
    }

    /// <summary>Publishes with the <see cref="SecretCanaries"/> set, as every publish of the tests does.</summary>
    public static async Task PublishAsync(string folder, CancellationToken ct, params string[] settings)
    {
        var (exitCode, output) = await AppHostCommand.RunAsync(
            ["--operation", "publish", "--step", "publish", "--output-path", folder, .. SecretCanaries.Args, .. settings], TimeSpan.FromMinutes(3), ct);
        Assert.True(exitCode == 0, output);
    }

    public static async Task<string> RenderAsync(string folder, CancellationToken ct)
    {
        using var kubectl = Process.Start(new ProcessStartInfo("kubectl", ["kustomize", folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var rendered = kubectl.StandardOutput.ReadToEndAsync(ct);
        var error = kubectl.StandardError.ReadToEndAsync(ct);
        await kubectl.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(1), ct);
        Assert.True(kubectl.ExitCode == 0, await error);
        return await rendered;
    }

    /// <summary>The generated passwords the Secrets are made of.</summary>
    public IReadOnlyList<string> SecretValues() =>
        File.ReadAllLines(Path.Combine(Folder, "secrets", "parameters.env"))
            .Select(line => line[(line.IndexOf('=') + 1)..])
            .ToList();

    public IEnumerable<T> OfType<T>() => Objects.OfType<T>();

    public ValueTask DisposeAsync()
    {
        _output.Dispose();
        return ValueTask.CompletedTask;
    }
}
