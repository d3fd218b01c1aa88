using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting.Kubernetes;

/// <summary>
/// Settings of the Kubernetes publish step (<c>Cognive:Kubernetes:*</c>): the namespace, and where the services'
/// images come from. The same can be changed afterwards with kustomize (<c>namespace:</c>, <c>images:</c>).
/// </summary>
public sealed record KubernetesOptions(string Namespace, string Registry, string Tag, string Host)
{
    public static KubernetesOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Cognive:Kubernetes");
        return new(
            Namespace: section["Namespace"] ?? "cognive",
            Registry: section["Registry"] ?? "",
            Tag: section["Tag"] ?? BuildVersion(),
            Host: section["Host"] ?? "cognive.local");
    }

    /// <summary>The solution's version (Directory.Build.props), which is also the tag of the images it builds.</summary>
    private static string BuildVersion() => typeof(KubernetesOptions).Assembly.GetName().Version!.ToString(3);

    /// <summary>The image of a service, as <c>dotnet publish -t:PublishContainer</c> names it (see Directory.Build.props).</summary>
    public string ServiceImage(string resourceName) =>
        $"{(Registry.Length == 0 ? "" : Registry.TrimEnd('/') + "/")}cognive-{resourceName}:{Tag}";
}
