using System.Collections.Concurrent;
using Cognive.Data;
using Cognive.Data.Providers;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Gateway.Providers;

/// <summary>
/// The team's provider connections with their keys decrypted, from this replica's memory for <see cref="Lifetime"/>:
/// a connection changed or deleted through the API is seen here within that time.
/// </summary>
public sealed class ConnectionDirectory(IServiceScopeFactory scopes, ProviderKeyCipher cipher, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<Guid, (IReadOnlyList<Connection> Connections, DateTimeOffset LoadedAt)> _byTeam = new();

    /// <summary>
    /// The connection a request's <c>model</c> names and the model to ask it for: <c>primary/gpt-4o-mini</c> is the model
    /// <c>gpt-4o-mini</c> of the connection named <c>primary</c>; a model whose part before the first slash names no
    /// connection (<c>gpt-4o-mini</c>, <c>meta-llama/Llama-3</c>) goes, whole, to the team's default connection.
    /// </summary>
    public async Task<(Connection Connection, string Model)?> ResolveAsync(Guid teamId, string model, CancellationToken ct)
    {
        var connections = await ConnectionsAsync(teamId, ct);
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && connections.FirstOrDefault(c => c.Name == model[..slash]) is { } named && slash < model.Length - 1)
        {
            return (named, model[(slash + 1)..]);
        }

        return connections.FirstOrDefault(c => c.IsDefault) is { } fallback ? (fallback, model) : null;
    }

    public async Task<IReadOnlyList<Connection>> ConnectionsAsync(Guid teamId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_byTeam.TryGetValue(teamId, out var entry) && now - entry.LoadedAt < Lifetime)
        {
            return entry.Connections;
        }

        await using var scope = scopes.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<CogniveDbContext>().ProviderConnections.AsNoTracking()
            .Where(c => c.TeamId == teamId && c.DeletedAt == null)
            .OrderBy(c => c.CreatedAt)
            .ToListAsync(ct);
        var connections = stored
            .Select(c => new Connection(c.Id, c.Name, c.Provider, new Uri(c.BaseUrl + "/"), cipher.Decrypt(c.Id, c.EncryptedApiKey), c.IsDefault))
            .ToList();
        _byTeam[teamId] = (connections, now);
        return connections;
    }
}

/// <summary>An upstream as the gateway calls it. <see cref="ApiKey"/> goes only into the upstream request's Authorization header.</summary>
public sealed record Connection(Guid Id, string Name, string Provider, Uri BaseUrl, string ApiKey, bool IsDefault)
{
    /// <summary>Never the key: a connection may end up in a log line or an exception message.</summary>
    public override string ToString() => $"{Name} ({Provider}, {BaseUrl})";
}
