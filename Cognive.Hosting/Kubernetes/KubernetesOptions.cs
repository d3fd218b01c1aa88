using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// Settings of the Kubernetes publish step (<c>Cognive:Kubernetes:*</c>): the namespace, and where the services'
/// images come from. The same can be changed afterwards with kustomize (<c>namespace:</c>, <c>images:</c>).
/// </summary>
/// <param name="TrustedProxies">
/// Who may forward a client's address to the services behind the ingress (the API's <c>Cognive:Network:TrustedProxies</c>):
/// k3s runs Traefik as a pod, so its default pod network, 10.42.0.0/16.
/// </param>
/// <param name="Keda">Scale queue consumers with KEDA (<c>Cognive:Kubernetes:Keda=true</c>, for clusters that run it) rather than on CPU.</param>
public sealed record KubernetesOptions(string Namespace, string Registry, string Tag, string Host, string TrustedProxies, bool Keda = false)
{
    public const string TrustedProxiesVariable = "Cognive__Network__TrustedProxies";

    public static KubernetesOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Cognive:Kubernetes");
        return new(
            Namespace: section["Namespace"] ?? "cognive",
            Registry: section["Registry"] ?? "",
            Tag: section["Tag"] ?? BuildVersion(),
            Host: section["Host"] ?? "cognive.local",
            TrustedProxies: section["TrustedProxies"] ?? "10.42.0.0/16",
            Keda: section.GetValue<bool>("Keda"));
    }

    /// <summary>The solution's version (Directory.Build.props), which is also the tag of the images it builds.</summary>
    private static string BuildVersion() => typeof(KubernetesOptions).Assembly.GetName().Version!.ToString(3);

    /// <summary>The image of a service, as <c>dotnet publish -t:PublishContainer</c> names it (see Directory.Build.props).</summary>
    public string ServiceImage(string resourceName) =>
        $"{(Registry.Length == 0 ? "" : Registry.TrimEnd('/') + "/")}cognive-{resourceName}:{Tag}";
}
