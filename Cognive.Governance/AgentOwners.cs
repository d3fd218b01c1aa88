using System.Collections.Concurrent;
using Cognive.Data;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Governance;

/// <summary>
/// Which team each agent belongs to (archived or not), remembered once seen, since it never changes: every budget check
/// names an agent, and must name one of the caller's team.
/// </summary>
public sealed class AgentOwners(IServiceScopeFactory scopes)
{
    /// <summary>Past this many agents the memory starts over: the ids come from callers.</summary>
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<Guid, Guid> _owners = new();

    public async ValueTask<bool> BelongsToAsync(Guid teamId, Guid agentId, CancellationToken ct)
    {
        if (_owners.TryGetValue(agentId, out var owner))
        {
            return owner == teamId;
        }

        await using var scope = scopes.CreateAsyncScope();
        var found = await scope.ServiceProvider.GetRequiredService<CogniveDbContext>().Agents.AsNoTracking()
            .Where(a => a.Id == agentId).Select(a => (Guid?)a.TeamId).SingleOrDefaultAsync(ct);
        if (found is not { } team)
        {
            return false;
        }

        if (_owners.Count >= MaxRemembered)
        {
            _owners.Clear();
        }

        _owners[agentId] = team;
        return team == teamId;
    }
}
