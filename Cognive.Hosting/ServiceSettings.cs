using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting;

/// <summary>
/// Passes the AppHost's settings under a section (<c>Cognive:Agents</c>, <c>Cognive:Swarm</c>, <c>Cognive:Smtp</c>, <c>Cognive:SignIn</c>, <c>Cognive:Network</c>, <c>Cognive:Console</c>, <c>Cognive:Webhooks</c>, <c>Cognive:Gateway</c>) to a
/// service, so tuning the system is one place, the AppHost's configuration: a non-secret setting of the allow-list as a
/// plain variable; a secret (by declaration, or by a name such as <c>ApiKey</c>, <c>Password</c>, <c>Token</c>) as a
/// secret parameter, masked on the dashboard and a Kubernetes Secret when published; any other setting stops the AppHost.
/// </summary>
public static partial class ServiceSettings
{
    /// <summary>
    /// Every setting the services read under the passed sections (their options classes and constants), and whether it
    /// is a secret. A key ending in <c>:*</c> allows everything below it: tuning tables whose keys the operator names.
    /// </summary>
    private static readonly (string Key, bool Secret)[] Known =
    [
        ("Cognive:Agents:ApiKeyFile", false), // a path to the key, not the key
        ("Cognive:Agents:HeartbeatSeconds", false),
        ("Cognive:Agents:ReadinessUrl", false),
        ("Cognive:Agents:Llm:Provider", false),
        ("Cognive:Agents:Llm:Model", false),
        ("Cognive:Agents:Llm:BaseUrl", false),
        ("Cognive:Agents:Llm:ApiKeyFile", false),
        ("Cognive:Agents:Llm:ApiKey", true),
        ("Cognive:Swarm:HeartbeatTimeoutSeconds", false),
        ("Cognive:Swarm:DepartedRetentionHours", false),
        ("Cognive:Swarm:Recovery:*", false),
        ("Cognive:Swarm:Quotas:*", false),
        ("Cognive:Smtp:Host", false),
        ("Cognive:Smtp:Port", false),
        ("Cognive:Smtp:From", false),
        ("Cognive:Smtp:EnableSsl", false),
        ("Cognive:Smtp:UserName", false),
        ("Cognive:Smtp:Password", true),
        ("Cognive:SignIn:*", false),
        ("Cognive:Network:TrustedProxies", false),
        ("Cognive:Console:RefreshAhead", false),
        ("Cognive:Console:OverviewRefresh", false),
        ("Cognive:Console:IdleTimeout", false),
        ("Cognive:Webhooks:TimeoutSeconds", false),
        ("Cognive:Gateway:UpstreamTimeoutSeconds", false),
        ("Cognive:Gateway:DefaultMaxOutputTokens", false),
        ("Cognive:Gateway:SpoolDirectory", false),
        ("Cognive:Gateway:MaxWholeAnswerBytes", false),
        ("Cognive:Gateway:MaxRequestBytes", false),
        ("Cognive:Gateway:MaxOtlpRequestBytes", false),
        ("Cognive:Gateway:TraceRunRetentionDays", false),
    ];

    public static IResourceBuilder<ProjectResource> WithSettings(this IResourceBuilder<ProjectResource> service, IConfiguration configuration,
        string section)
    {
        foreach (var (key, value) in configuration.GetSection(section).AsEnumerable().Where(s => s.Value is not null))
        {
            var variable = key.Replace(":", "__", StringComparison.Ordinal);
            switch (Classify(key))
            {
                case true:
                    service.WithEnvironment(variable, SecretParameter(service.ApplicationBuilder, key));
                    break;
                case false:
                    service.WithEnvironment(variable, value);
                    break;
                default:
                    throw new CogniveHostingException(
                        $"'{key}' is not a setting Cognive knows, so the AppHost does not pass it on (it might be a secret). " +
                        $"Remove it, correct its name, or declare it in Cognive.Hosting/ServiceSettings.cs. Known settings: " +
                        $"{string.Join(", ", Known.Where(k => k.Key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)).Select(k => k.Key))}.");
            }
        }

        return service;
    }

    /// <summary>True for a secret, false for a plain setting, null for a setting nobody declared.</summary>
    public static bool? Classify(string key)
    {
        var declared = Known.Where(k => k.Key.EndsWith(":*", StringComparison.Ordinal)
                ? key.StartsWith(k.Key[..^1], StringComparison.OrdinalIgnoreCase)
                : string.Equals(key, k.Key, StringComparison.OrdinalIgnoreCase))
            .Select(k => (bool?)k.Secret)
            .FirstOrDefault();
        return SecretName().IsMatch(key[(key.LastIndexOf(':') + 1)..]) ? true : declared;
    }

    /// <summary>
    /// One parameter per setting, whatever number of services read it, named after the setting
    /// (<c>Cognive:Agents:Llm:ApiKey</c> → <c>cognive-agents-llm-apikey</c>) and read from it.
    /// </summary>
    private static IResourceBuilder<ParameterResource> SecretParameter(IDistributedApplicationBuilder builder, string key)
    {
        var name = NotNameCharacters().Replace(key.ToLowerInvariant(), "-").Trim('-');
        if (builder.Resources.OfType<ParameterResource>().SingleOrDefault(p => p.Name == name) is { } existing)
        {
            return builder.CreateResourceBuilder(existing);
        }

        return builder.AddParameterFromConfiguration(name, key, secret: true).WithAnnotation(new SettingAnnotation(key));
    }

    /// <summary>Marks a parameter as the value of a setting, which the Kubernetes publisher copies into a Secret.</summary>
    public sealed record SettingAnnotation(string Key) : IResourceAnnotation;

    /// <summary>Names that hold a secret, at the end of a setting's last segment (<c>ApiKeyFile</c> is a path, not a key).</summary>
    [GeneratedRegex("(key|keys|password|passwd|pwd|secret|token|credential|credentials|connectionstring)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotNameCharacters();
}
