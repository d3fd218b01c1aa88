using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.ApiKeys;
using Cognive.Data.Swarm;
using Cognive.Data.Teams;
using Microsoft.EntityFrameworkCore;

namespace Cognive.MigrationService;

/// <summary>
/// In a local run, the agent processes the AppHost starts need a key: this keeps a team named <c>swarm</c> with an
/// agent-scoped key, written to <c>Cognive:SwarmKeyFile</c> (owner-only). A missing, unknown or revoked key is replaced.
/// The AppHost's agent kinds (<see cref="KindsSetting"/>) belong to that team, unless an operator granted one elsewhere.
/// Without the key file setting (in Kubernetes, where the key is a Secret someone issued and an operator grants the
/// kinds) nothing happens.
/// </summary>
internal sealed class SwarmBootstrap(IConfiguration configuration, TimeProvider time, ILogger<SwarmBootstrap> logger)
{
    public const string KeyFileSetting = "Cognive:SwarmKeyFile";
    public const string TeamName = "swarm";

    /// <summary>The AppHost's agent kinds, as the queen's port gets them: <c>Cognive:Swarm:Control:Kinds:{i}:Name</c>.</summary>
    public const string KindsSetting = "Cognive:Swarm:Control:Kinds";

    public async Task EnsureSwarmKeyAsync(CogniveDbContext db, CancellationToken ct)
    {
        var keyFile = configuration[KeyFileSetting];
        if (string.IsNullOrEmpty(keyFile))
        {
            return;
        }

        var now = time.GetUtcNow();
        var team = await db.Teams.SingleOrDefaultAsync(t => t.Name == TeamName, ct);
        if (team is null)
        {
            team = new Team { Name = TeamName, CreatedAt = now };
            db.Teams.Add(team);
        }

        await EnsureKindsAsync(db, team, now, ct);
        if (await HasLiveKeyAsync(db, keyFile, ct))
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        var token = ApiKeyToken.Generate();
        db.ApiKeys.Add(new ApiKey
        {
            TeamId = team.Id, Name = "swarm agents", Prefix = token.Prefix, SecretHash = token.SecretHash(), CreatedAt = now,
            Scopes = [.. Permissions.AgentDefaults],
        });
        await db.SaveChangesAsync(ct);
        await KeyFile.WriteAsync(keyFile, token.ToString(), ct);
        logger.LogInformation("The swarm's agents use the key in {KeyFile}", keyFile);
    }

    /// <summary>The installation's declaration: its own kinds are the swarm team's. A kind granted elsewhere stays there.</summary>
    private async Task EnsureKindsAsync(CogniveDbContext db, Team team, DateTimeOffset now, CancellationToken ct)
    {
        var declared = configuration.GetSection(KindsSetting).GetChildren().Select(k => k["Name"]).OfType<string>().ToList();
        var granted = await db.SwarmKinds.Where(k => declared.Contains(k.Kind)).Select(k => k.Kind).ToListAsync(ct);
        foreach (var kind in declared.Except(granted))
        {
            db.SwarmKinds.Add(new SwarmKind { Kind = kind, TeamId = team.Id, GrantedAt = now, GrantedBy = "installation" });
            logger.LogInformation("The agent kind {Kind} belongs to the {Team} team", kind, TeamName);
        }
    }

    private static async Task<bool> HasLiveKeyAsync(CogniveDbContext db, string keyFile, CancellationToken ct) =>
        File.Exists(keyFile) && ApiKeyToken.TryParse((await File.ReadAllTextAsync(keyFile, ct)).Trim(), out var token) &&
        await db.ApiKeys.AnyAsync(k => k.Prefix == token.Prefix && k.RevokedAt == null, ct);
}
