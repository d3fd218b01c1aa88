using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.ApiKeys;
using Cognive.Data.Swarm;
using Cognive.Data.Teams;
using Microsoft.EntityFrameworkCore;

namespace Cognive.MigrationService;

/// <summary>
/// The agent processes the AppHost starts need a key: this keeps a team named <c>swarm</c> with an agent-scoped key.
/// Locally the key is issued here and written to <c>Cognive:SwarmKeyFile</c> (owner-only); a missing, unknown or revoked
/// key is replaced. Published, the key is the app model's secret (<c>Cognive:Swarm:AgentKey</c>, which the agents get
/// too): the team holds it from the first rollout on; a new value (rotation) replaces the old key, and a key an operator
/// revoked stays revoked. The AppHost's agent kinds (<see cref="KindsSetting"/>) belong to that team, unless an operator
/// granted one elsewhere. With neither setting nothing happens.
/// </summary>
internal sealed class SwarmBootstrap(IConfiguration configuration, TimeProvider time, ILogger<SwarmBootstrap> logger)
{
    public const string KeyFileSetting = "Cognive:SwarmKeyFile";
    public const string KeySetting = "Cognive:Swarm:AgentKey";
    private const string KeyName = "swarm agents";
    public const string TeamName = "swarm";

    /// <summary>The AppHost's agent kinds, as the queen's port gets them: <c>Cognive:Swarm:Control:Kinds:{i}:Name</c>.</summary>
    public const string KindsSetting = "Cognive:Swarm:Control:Kinds";

    public async Task EnsureSwarmKeyAsync(CogniveDbContext db, CancellationToken ct)
    {
        var keyFile = configuration[KeyFileSetting];
        var key = configuration[KeySetting];
        if (string.IsNullOrEmpty(keyFile) && string.IsNullOrEmpty(key))
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
        if (!string.IsNullOrEmpty(key))
        {
            await EnsureGivenKeyAsync(db, team, key, now, ct);
            await db.SaveChangesAsync(ct);
            return;
        }

        if (await HasLiveKeyAsync(db, keyFile!, ct))
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        var token = ApiKeyToken.Generate();
        db.ApiKeys.Add(NewKey(team, token, now));
        await db.SaveChangesAsync(ct);
        await KeyFile.WriteAsync(keyFile!, token.ToString(), ct);
        logger.LogInformation("The swarm's agents use the key in {KeyFile}", keyFile);
    }

    private async Task EnsureGivenKeyAsync(CogniveDbContext db, Team team, string key, DateTimeOffset now, CancellationToken ct)
    {
        if (!ApiKeyToken.TryParse(key.Trim(), out var token))
        {
            throw new InvalidOperationException(
                $"{KeySetting} is not an API key (cgv_ followed by a 12-character id, '_' and a 32-character secret): the agents could not join the swarm.");
        }

        var existing = await db.ApiKeys.SingleOrDefaultAsync(k => k.Prefix == token.Prefix, ct);
        if (existing is { RevokedAt: not null })
        {
            logger.LogError("The swarm's agent key {Prefix} was revoked: give the swarm-agent-key-id parameter a new value to issue another", token.Prefix);
            return;
        }

        if (existing is not null && existing.TeamId == team.Id && existing.Name == KeyName && token.Matches(existing.SecretHash))
        {
            return;
        }

        if (existing is not null)
        {
            throw new InvalidOperationException($"The swarm's agent key id {token.Prefix} belongs to another key: give swarm-agent-key-id a new value.");
        }

        // A new value of the parameter: the old key goes, so a leaked one ends with its rotation.
        await db.ApiKeys.Where(k => k.TeamId == team.Id && k.Name == KeyName && k.RevokedAt == null)
            .ExecuteUpdateAsync(k => k.SetProperty(x => x.RevokedAt, now), ct);
        db.ApiKeys.Add(NewKey(team, token, now));
        logger.LogInformation("The swarm's agents use the key {Prefix} given by the deployment", token.Prefix);
    }

    private static ApiKey NewKey(Team team, ApiKeyToken token, DateTimeOffset now) => new()
    {
        TeamId = team.Id, Name = KeyName, Prefix = token.Prefix, SecretHash = token.SecretHash(), CreatedAt = now,
        Scopes = [.. Permissions.AgentDefaults],
    };

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
