using System.Text.Json.Nodes;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Publishing;

/// <summary>The manifest written once by <c>--publisher manifest</c> (with the <see cref="SecretCanaries"/> set), shared by
/// the test classes that read it: they join its collection.</summary>
public sealed class PublishedManifest : IAsyncLifetime
{
    public const string Collection = "The published manifest";

    private readonly TestStateFolder _output = new();

    public JsonObject Resources { get; private set; } = new();

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_output.Path, "aspire-manifest.json");
        var (exitCode, output) = await AppHostCommand.RunAsync(
            ["--publisher", "manifest", "--output-path", path, .. SecretCanaries.Args], TimeSpan.FromMinutes(3), ct);
        Assert.True(exitCode == 0, output);
        Resources = JsonNode.Parse(await File.ReadAllTextAsync(path, ct))!["resources"]!.AsObject();
    }

    public ValueTask DisposeAsync()
    {
        _output.Dispose();
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(PublishedManifest.Collection)]
public sealed class PublishedManifestCollection : ICollectionFixture<PublishedManifest>;
