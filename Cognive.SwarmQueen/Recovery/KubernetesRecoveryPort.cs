using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Cognive.SwarmQueen.Recovery;

/// <summary>
/// In a cluster: restarts and recreations delete the instance's pod (its Deployment starts another; a recreation skips
/// the grace period), scaling up raises the kind's Deployment by one replica, at most to <see cref="MaxReplicasSetting"/>,
/// and scaling down lowers it by one, never below the count it was published with. Only the kinds given at start are
/// acted on, and only a pod its kind's Deployment owns (pod → ReplicaSet → Deployment, by their controller
/// ownerReferences; a label alone anyone who can create pods can set). Needs a service account allowed to get/delete
/// pods, get replicasets, and get/patch the kinds' deployments/scale in its namespace.
/// </summary>
public sealed class KubernetesRecoveryPort(HttpClient http, string ns, int maxReplicas, ControlledKinds kinds) : IRecoveryPort
{
    public const string MaxReplicasSetting = "Cognive:Swarm:Recovery:MaxReplicas";
    private const string ServiceAccountFolder = "/var/run/secrets/kubernetes.io/serviceaccount";
    private const string KindLabel = "app.kubernetes.io/name";

    public static bool IsInCluster => Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 } &&
        File.Exists(Path.Combine(ServiceAccountFolder, "token"));

    /// <summary>The in-cluster client: the API server from the environment, the pod's service account token and CA.</summary>
    public static KubernetesRecoveryPort InCluster(IConfiguration configuration)
    {
        var handler = new HttpClientHandler();
        var ca = X509CertificateLoader.LoadCertificateFromFile(
            Path.Combine(ServiceAccountFolder, "ca.crt"));
        handler.ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
        {
            if (certificate is null || chain is null)
            {
                return false;
            }

            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0;
        };
        var http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://{Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")}:" +
                $"{Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT")}"),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            File.ReadAllText(Path.Combine(ServiceAccountFolder, "token")).Trim());
        var ns = File.ReadAllText(Path.Combine(ServiceAccountFolder, "namespace")).Trim();
        return new KubernetesRecoveryPort(http, ns, configuration.GetValue(MaxReplicasSetting, 10), ControlledKinds.From(configuration));
    }

    public Task<PortResult> RestartAsync(RecoveryTarget target, CancellationToken ct) => DeletePodAsync(target, graceful: true, ct);

    public Task<PortResult> RecreateAsync(RecoveryTarget target, CancellationToken ct) => DeletePodAsync(target, graceful: false, ct);

    public Task<PortResult> ScaleUpAsync(RecoveryTarget target, CancellationToken ct) => ScaleAsync(target, +1, ct);

    public Task<PortResult> ScaleDownAsync(RecoveryTarget target, CancellationToken ct) => ScaleAsync(target, -1, ct);

    private async Task<PortResult> ScaleAsync(RecoveryTarget target, int by, CancellationToken ct)
    {
        if (kinds.Refusal(target) is { } refused)
        {
            return refused;
        }

        var path = $"/apis/apps/v1/namespaces/{ns}/deployments/{Uri.EscapeDataString(target.Kind)}/scale";
        using var current = await http.GetAsync(path, ct);
        if (!current.IsSuccessStatusCode)
        {
            return PortResult.Refused($"deployment '{target.Kind}': {(int)current.StatusCode}");
        }

        var replicas = (await current.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("spec").GetProperty("replicas").GetInt32();
        if (by > 0 && replicas >= maxReplicas)
        {
            return PortResult.Refused($"deployment '{target.Kind}' already has {replicas} replicas (at most {maxReplicas})");
        }

        if (by < 0 && replicas <= kinds.PublishedReplicas(target.Kind))
        {
            // A rollout put the published count back, or someone scaled it by hand: nothing of ours is left to remove.
            return PortResult.NoLonger($"deployment '{target.Kind}' has {replicas} replicas, its published count at most");
        }

        using var patch = new HttpRequestMessage(HttpMethod.Patch, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { spec = new { replicas = replicas + by } }), Encoding.UTF8,
                "application/merge-patch+json"),
        };
        using var patched = await http.SendAsync(patch, ct);
        return new PortResult(patched.IsSuccessStatusCode, $"deployment '{target.Kind}': {replicas} → {replicas + by} replicas ({(int)patched.StatusCode})");
    }

    private async Task<PortResult> DeletePodAsync(RecoveryTarget target, bool graceful, CancellationToken ct)
    {
        if (kinds.Refusal(target) is { } refused)
        {
            return refused;
        }

        if (target.Host is not { } pod)
        {
            return PortResult.Refused("the instance did not say which pod it runs in");
        }

        var path = $"/api/v1/namespaces/{ns}/pods/{Uri.EscapeDataString(pod)}";
        using var found = await http.GetAsync(path, ct);
        if (found.StatusCode == HttpStatusCode.NotFound)
        {
            return PortResult.NoLonger($"pod '{pod}' no longer exists");
        }

        if (!found.IsSuccessStatusCode)
        {
            return PortResult.Refused($"pod '{pod}': {(int)found.StatusCode}");
        }

        var metadata = (await found.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("metadata");
        if (!metadata.TryGetProperty("labels", out var labels) || !labels.TryGetProperty(KindLabel, out var kind) || kind.GetString() != target.Kind ||
            !await IsOwnedByDeploymentAsync(metadata, target.Kind, ct))
        {
            return PortResult.Refused($"pod '{pod}' is not a pod of the Deployment '{target.Kind}'");
        }

        // Only the pod just checked: a pod of the same name made since (a StatefulSet's are) is another one.
        var preconditions = new { uid = metadata.GetProperty("uid").GetString() };
        using var delete = new HttpRequestMessage(HttpMethod.Delete, path)
        {
            Content = graceful
                ? JsonContent.Create(new { kind = "DeleteOptions", apiVersion = "v1", preconditions })
                : JsonContent.Create(new { kind = "DeleteOptions", apiVersion = "v1", preconditions, gracePeriodSeconds = 0 }),
        };
        using var deleted = await http.SendAsync(delete, ct);
        return new PortResult(deleted.IsSuccessStatusCode, $"pod '{pod}' deleted{(graceful ? "" : " at once")} ({(int)deleted.StatusCode})");
    }

    /// <summary>Whether the pod's controller is a ReplicaSet whose controller is the Deployment named as the kind.</summary>
    private async Task<bool> IsOwnedByDeploymentAsync(JsonElement podMetadata, string deployment, CancellationToken ct)
    {
        if (ControllerOf(podMetadata) is not ("ReplicaSet", var replicaSet))
        {
            return false;
        }

        using var found = await http.GetAsync($"/apis/apps/v1/namespaces/{ns}/replicasets/{Uri.EscapeDataString(replicaSet)}", ct);
        return found.IsSuccessStatusCode &&
            ControllerOf((await found.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("metadata")) == ("Deployment", deployment);
    }

    private static (string Kind, string Name)? ControllerOf(JsonElement metadata) =>
        metadata.TryGetProperty("ownerReferences", out var owners) && owners.ValueKind == JsonValueKind.Array
            ? owners.EnumerateArray()
                .Where(o => o.TryGetProperty("controller", out var controller) && controller.ValueKind == JsonValueKind.True)
                .Select(o => ((string Kind, string Name)?)(o.GetProperty("kind").GetString()!, o.GetProperty("name").GetString()!))
                .FirstOrDefault()
            : null;
}
