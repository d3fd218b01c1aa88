using Cognive.Hosting;
using Cognive.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Tests.Foundation;

/// <summary>In a local run, the AppHost's secret settings reach the services by reference to secret parameters, which
/// the dashboard masks; plain settings stay plain.</summary>
public sealed class SecretSettingsTests
{
    private const string LlmApiKey = "sk-test-canary-run-5d10c2";
    private const string SmtpPassword = "smtp-canary-run-91ab";

    [Fact]
    public async Task Secret_settings_reach_the_services_as_secret_parameters_and_plain_ones_as_text()
    {
        var ct = TestContext.Current.CancellationToken;
        using var state = new TestStateFolder();
        await using var app = await CogniveApp.BuildAsync(state.Path,
        [
            $"--Cognive:Agents:Llm:ApiKey={LlmApiKey}", "--Cognive:Agents:HeartbeatSeconds=2",
            "--Cognive:Smtp:Host=127.0.0.1", $"--Cognive:Smtp:Password={SmtpPassword}",
        ], ct);

        var agents = await EnvironmentAsync(app, "agents", ct);
        var workers = await EnvironmentAsync(app, "workers", ct);

        Assert.Equal(LlmApiKey, await SecretValueAsync(Secret(agents, "Cognive__Agents__Llm__ApiKey"), ct));
        Assert.Equal(SmtpPassword, await SecretValueAsync(Secret(workers, "Cognive__Smtp__Password"), ct));
        Assert.Equal("2", agents["Cognive__Agents__HeartbeatSeconds"]);
        Assert.Equal("127.0.0.1", workers["Cognive__Smtp__Host"]);
        Assert.DoesNotContain(agents.Values.Concat(workers.Values), value => value is string text &&
            (text.Contains(LlmApiKey, StringComparison.Ordinal) || text.Contains(SmtpPassword, StringComparison.Ordinal)));

        // The API encrypts the upstream keys of provider connections with it and the gateway decrypts them: one secret.
        var providerKey = await SecretValueAsync(Secret(await EnvironmentAsync(app, "api", ct), "Cognive__Providers__EncryptionKey"), ct);
        Assert.False(string.IsNullOrEmpty(providerKey));
        Assert.Equal(providerKey, await SecretValueAsync(Secret(await EnvironmentAsync(app, "gateway", ct), "Cognive__Providers__EncryptionKey"), ct));
    }

    /// <summary>A secret setting's variable: once the app starts it travels under a connection-string name (ServiceEnvironment),
    /// which a built app that never started has not been given yet.</summary>
    private static object Secret(Dictionary<string, object> environment, string variable) =>
        environment.TryGetValue(ServiceEnvironment.SecretPrefix + variable, out var renamed) ? renamed : environment[variable];

    private static async Task<string?> SecretValueAsync(object value, CancellationToken ct)
    {
        var parameter = Assert.IsType<ParameterResource>(value);
        Assert.True(parameter.Secret, $"{parameter.Name} is not secret");
        return await parameter.GetValueAsync(ct);
    }

    /// <summary>The environment the AppHost gives a service, before Aspire resolves references into text.</summary>
    private static async Task<Dictionary<string, object>> EnvironmentAsync(DistributedApplication app, string resourceName,
        CancellationToken ct)
    {
        var resource = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resourceName);
        var environment = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(app.Services.GetRequiredService<DistributedApplicationExecutionContext>(),
            resource, environment, ct);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return environment;
    }
}
