using Cognive.Data.Audit;

namespace Cognive.Tests.Infrastructure;

/// <summary>The running app's audit key, for tests that seal or anchor in their own process as a service would.</summary>
public static class AuditKeys
{
    public static async Task<AuditKey> OfAsync(CogniveApp app, CancellationToken ct) =>
        AuditKey.From(await app.Resources.OfType<ParameterResource>().Single(p => p.Name == "audit-signing-key").GetValueAsync(ct));
}
