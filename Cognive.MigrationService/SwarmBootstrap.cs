using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.ApiKeys;
using Cognive.Data.Teams;
using Microsoft.EntityFrameworkCore;

namespace Cognive.MigrationService;

/// <summary>
/// In a local run, the agent processes the AppHost starts need a key: this keeps a team named <c>swarm</c> with an
/// agent-scoped key, written to <c>Cognive:SwarmKeyFile</c> (owner-only). A missing, unknown or revoked key is replaced.
/// Without that setting (in Kubernetes, where the key is a Secret someone issued) nothing happens.
/// </summary>
internal sealed class SwarmBootstrap(IConfiguration configuration, TimeProvider time, ILogger<SwarmBootstrap> logger)
{
    public const string KeyFileSetting = "Cognive:SwarmKeyFile";
    public const string TeamName = "swarm";

    public async Task EnsureSwarmKeyAsync(CogniveDbContext db, CancellationToken ct)
    {
        var keyFile = configuration[KeyFileSetting];
        if (string.IsNullOrEmpty(keyFile) || await HasLiveKeyAsync(db, keyFile, ct))
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

    private static async Task<bool> HasLiveKeyAsync(CogniveDbContext db, string keyFile, CancellationToken ct) =>
        File.Exists(keyFile) && ApiKeyToken.TryParse((await File.ReadAllTextAsync(keyFile, ct)).Trim(), out var token) &&
        await db.ApiKeys.AnyAsync(k => k.Prefix == token.Prefix && k.RevokedAt == null, ct);
}
