using Cognive.Client;
using Cognive.Client.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Tests.Sdk;

/// <summary>The SDK as an app registers it: <c>AddCogniveClient</c> reading the connection string <c>cognive-api</c>.</summary>
public sealed class SdkServices : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public SdkServices(Uri endpoint, string key, Action<CogniveClientOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cognive-api"] = $"Endpoint={endpoint};Key={key}",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddCogniveClient(configure: configure);
        _services = services.BuildServiceProvider();
        Cognive = _services.GetRequiredService<CogniveClient>();
    }

    public CogniveClient Cognive { get; }

    /// <summary>An HTTP client with the SDK's address and key, for what the SDK does not cover (creating budgets, policies).</summary>
    public HttpClient Http() => _services.GetRequiredService<IHttpClientFactory>().CreateClient(Client.Api.CogniveApi.HttpClientName);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
