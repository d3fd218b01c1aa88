[assembly: AssemblyFixture(typeof(Cognive.Tests.Infrastructure.SharedApp))]

namespace Cognive.Tests.Infrastructure;

/// <summary>
/// One running Cognive for the whole test assembly: a boot costs seconds and hundreds of MB, so tests share it
/// and isolate themselves by data. Later end-to-end tests take it as a constructor parameter.
/// </summary>
public sealed class SharedApp : IAsyncLifetime
{
    private readonly TestStateFolder _state = new();
    private CogniveApp? _app;

    public CogniveApp App => _app ?? throw new InvalidOperationException("The shared app has not started.");

    /// <summary>The SMTP server the app's alert e-mails go to.</summary>
    public SmtpReceiver Mail { get; } = new();

    public async ValueTask InitializeAsync() =>
        _app = await CogniveApp.StartAsync(_state.Path,
            ["--Cognive:Smtp:Host=127.0.0.1", $"--Cognive:Smtp:Port={Mail.Port}", .. SignIn, .. Gateway, .. Webhooks, .. ConsoleTokens,
             .. SwarmQuotas.Select(q => $"--Cognive:Swarm:Quotas:{q.Key}={q.Value}")],
            TestContext.Current.CancellationToken);

    /// <summary>
    /// Sign-in locks short enough to watch end; IPv6 loopback as the trusted proxy, so a test connecting there may
    /// forward client addresses while every other caller (IPv4 loopback, through DCP's proxy) is an untrusted peer; and
    /// password hashes 600 times cheaper than in production: the suite registers and signs in hundreds of people on two
    /// cores, and no test is about the hash's cost.
    /// </summary>
    public static readonly string[] SignIn =
    [
        "--Cognive:SignIn:FirstLock=00:00:05", "--Cognive:SignIn:MaxLock=00:00:10", "--Cognive:Network:TrustedProxies=::1",
        "--Cognive:SignIn:PasswordIterations=1000",
    ];

    /// <summary>
    /// A receiver has 15 s to answer, not 5: the slow-receiver test needs another team's alert delivered while the hung
    /// requests are still waiting, and on a busy two-core box with classes in parallel that took more than 5 s.
    /// </summary>
    public static readonly string[] Webhooks = ["--Cognive:Webhooks:TimeoutSeconds=15"];

    /// <summary>
    /// An upstream silent for 3 s fails its call: the gateway's timeout test waits that long, not the default two minutes; a 1 MiB
    /// request limit, so the 413 test sends little.
    /// </summary>
    public static readonly string[] Gateway = ["--Cognive:Gateway:UpstreamTimeoutSeconds=3", "--Cognive:Gateway:MaxRequestBytes=1048576"];

    /// <summary>
    /// The console trades its access tokens 10 s after issue (the API's live 10 minutes), so a browser test sees the
    /// server-side refresh cycle without waiting for a real expiry.
    /// </summary>
    public static readonly string[] ConsoleTokens = ["--Cognive:Console:RefreshAhead=00:09:50"];

    /// <summary>Swarm quotas small enough for a test to reach, large enough for every other test's team (and the agents' swarm team).</summary>
    public static readonly IReadOnlyDictionary<string, long> SwarmQuotas = new Dictionary<string, long>
    {
        ["MemoryBytes"] = 100_000,
        ["QueuedTasks"] = 30,
        ["Instances"] = 40,
        ["ChannelBytes"] = 65_536,
        ["ChannelMessageBytes"] = 16_384,
        ["ChannelGroups"] = 5,
        ["TaskResultBytes"] = 16_384,
        ["RequestBodyBytes"] = 1_048_576,
    };

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            await ServerProcesses.WaitUntilNoneUseAsync(_state.Path, TimeSpan.FromSeconds(60));
        }

        _state.Dispose();
        await Mail.DisposeAsync();
    }
}
