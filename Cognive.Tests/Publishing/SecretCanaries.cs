namespace Cognive.Tests.Publishing;

/// <summary>
/// Secret settings the publish fixtures pass, with values known to the tests: one secret by declaration in each
/// passed section, and one secret by its name alone (a setting under an allowed prefix that nobody declared).
/// </summary>
public static class SecretCanaries
{
    public const string LlmApiKey = "sk-test-canary-4b1e9d2c";
    public const string SmtpPassword = "smtp-canary-8f0a51";
    public const string PagerToken = "token-canary-77c3e0";

    public static readonly string[] Values = [LlmApiKey, SmtpPassword, PagerToken];

    public static readonly string[] Args =
    [
        $"--Cognive:Agents:Llm:ApiKey={LlmApiKey}",
        "--Cognive:Smtp:Host=smtp.example.com",
        $"--Cognive:Smtp:Password={SmtpPassword}",
        $"--Cognive:Swarm:Recovery:PagerToken={PagerToken}",
    ];

    /// <summary>Where each canary must arrive: the workload's Secret and the variable its service reads.</summary>
    public static readonly (string Workload, string Variable, string Value)[] Destinations =
    [
        ("agents", "Cognive__Agents__Llm__ApiKey", LlmApiKey),
        ("workers", "Cognive__Smtp__Password", SmtpPassword),
        ("swarm-queen", "Cognive__Swarm__Recovery__PagerToken", PagerToken),
    ];
}
