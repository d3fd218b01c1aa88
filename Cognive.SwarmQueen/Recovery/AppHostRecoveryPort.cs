using System.Net.Http.Headers;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// Local runs: the AppHost's control endpoint (loopback only, bearer token from the AppHost), which runs the resource
/// commands of the agent replicas (see Cognive.Hosting's SwarmControl). Only the kinds given at start are asked for
/// (the AppHost checks the same on its side).
/// </summary>
public sealed class AppHostRecoveryPort(HttpClient http, ControlledKinds kinds) : IRecoveryPort
{
    public const string UrlSetting = "Cognive:Swarm:Control:Url";
    public const string TokenSetting = "Cognive:Swarm:Control:Token";

    public static void Configure(HttpClient http, IConfiguration configuration)
    {
        http.BaseAddress = new Uri(configuration[UrlSetting]!);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", configuration[TokenSetting]);
        http.Timeout = TimeSpan.FromMinutes(1);
    }

    public Task<PortResult> RestartAsync(RecoveryTarget target, CancellationToken ct) => OnReplicaAsync(target, "restart", ct);

    public Task<PortResult> RecreateAsync(RecoveryTarget target, CancellationToken ct) => OnReplicaAsync(target, "recreate", ct);

    public Task<PortResult> ScaleUpAsync(RecoveryTarget target, CancellationToken ct) => PostAsync(target, "scale-up", notFoundIsGone: false, ct);

    /// <summary>Stops a running spare replica; the AppHost answers 404 when none runs (nothing left to take back).</summary>
    public Task<PortResult> ScaleDownAsync(RecoveryTarget target, CancellationToken ct) => PostAsync(target, "scale-down", notFoundIsGone: true, ct);

    private Task<PortResult> OnReplicaAsync(RecoveryTarget target, string command, CancellationToken ct) => target.Host is { } host
        ? PostAsync(target, $"replicas/{Uri.EscapeDataString(host)}/{command}", notFoundIsGone: true, ct)
        : Task.FromResult(PortResult.Refused("the instance did not say which replica it runs in"));

    /// <param name="notFoundIsGone">A 404 then means the replica is not this AppHost's (a previous run's, or another kind).</param>
    private async Task<PortResult> PostAsync(RecoveryTarget target, string command, bool notFoundIsGone, CancellationToken ct)
    {
        if (kinds.Refusal(target) is { } refused)
        {
            return refused;
        }

        try
        {
            using var response = await http.PostAsync($"/kinds/{Uri.EscapeDataString(target.Kind)}/{command}", null, ct);
            var detail = $"AppHost: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}".Trim();
            return notFoundIsGone && response.StatusCode == System.Net.HttpStatusCode.NotFound
                ? PortResult.NoLonger(detail)
                : new PortResult(response.IsSuccessStatusCode, detail);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return PortResult.Refused($"AppHost unreachable: {e.Message}");
        }
    }
}
