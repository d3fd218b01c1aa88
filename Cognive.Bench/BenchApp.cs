using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cognive.Bench;

/// <summary>Cognive booted from its AppHost (servers as processes, a scratch state folder, no dashboard).</summary>
public sealed class BenchApp : IAsyncDisposable
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(4);
    private readonly string _stateFolder;

    private BenchApp(DistributedApplication app, string stateFolder)
    {
        App = app;
        _stateFolder = stateFolder;
    }

    public DistributedApplication App { get; }

    public Uri ApiAddress => App.GetEndpoint("api", "http");

    public static async Task<BenchApp> StartAsync(CancellationToken ct)
    {
        // Under /tmp, which every user can traverse: PostgreSQL runs as its own service account.
        var stateFolder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "cognive-bench", Guid.NewGuid().ToString("N")[..12])).FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Cognive_AppHost>(
            ["--Cognive:Servers=processes", $"--Cognive:StateDir={stateFolder}"], (options, _) => options.DisableDashboard = true, ct);
        // The services' own output would cost the bench process CPU on the same two cores; health checks fail on purpose
        // when the dead-agent phase kills an instance and while the app stops.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        var app = await builder.BuildAsync(ct);
        await app.StartAsync(ct).WaitAsync(BootTimeout, ct);
        foreach (var name in new[] { "api", "workers", "gateway" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, ct).WaitAsync(BootTimeout, ct);
        }

        return new BenchApp(app, stateFolder);
    }

    public async Task<string> ConnectionStringAsync(string name, CancellationToken ct) =>
        await App.GetConnectionStringAsync(name, ct) ?? throw new InvalidOperationException($"{name} has no connection string");

    /// <summary>
    /// A service process's own address, past DCP's proxy (as a cluster's service routes to a pod): from the
    /// ASPNETCORE_URLS DCP gave the process of <paramref name="assembly"/> (Cognive.ApiService, Cognive.Gateway) that was
    /// handed this app's database.
    /// </summary>
    public async Task<Uri> DirectAddressAsync(string assembly, CancellationToken ct)
    {
        var database = "ConnectionStrings__cognive=" + await ConnectionStringAsync("cognive", ct);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(assembly, StringComparison.Ordinal) &&
                    environment.Contains(database) &&
                    environment.FirstOrDefault(e => e.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal)) is { } urls)
                {
                    return new Uri(urls["ASPNETCORE_URLS=".Length..].Split(';')[0]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours, or gone meanwhile.
            }
        }

        throw new InvalidOperationException($"The {assembly} process was not found.");
    }

    public HttpClient CreateClient(string? apiKey, Uri? address = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = address ?? ApiAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }

        return client;
    }

    /// <summary>A fresh team's key, made with the admin key the first start wrote into the state folder.</summary>
    public async Task<(string Key, Guid TeamId)> CreateTeamAsync(CancellationToken ct)
    {
        using var admin = CreateClient(File.ReadAllText(Path.Combine(_stateFolder, "admin-api-key")).Trim());
        using var response = await admin.PostAsJsonAsync("/api/v1/teams", new { name = $"bench-{Guid.NewGuid():N}" }, ct);
        response.EnsureSuccessStatusCode();
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return (created.RootElement.GetProperty("api_key").GetProperty("key").GetString()!, created.RootElement.GetProperty("team_id").GetGuid());
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_stateFolder, recursive: true);
        }
        catch (IOException)
        {
            // The servers' last writes may race the delete; a leftover scratch folder in /tmp is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Files owned by the servers' service accounts when run as root.
        }
    }
}
