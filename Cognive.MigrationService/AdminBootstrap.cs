using Cognive.Data.Access;
using Cognive.Data;
using Cognive.Data.ApiKeys;
using Cognive.Data.Teams;
using Microsoft.EntityFrameworkCore;

namespace Cognive.MigrationService;

/// <summary>
/// On an empty database, creates the admin team and its first API key, and writes the key to the file named by
/// <c>Cognive:BootstrapKeyFile</c> (readable by its owner only). The key itself never goes to a log.
/// Without that setting (in Kubernetes) nothing is created.
/// </summary>
internal sealed class AdminBootstrap(IConfiguration configuration, TimeProvider time, ILogger<AdminBootstrap> logger)
{
    public const string KeyFileSetting = "Cognive:BootstrapKeyFile";

    public async Task EnsureAdminAsync(CogniveDbContext db, CancellationToken ct)
    {
        var keyFile = configuration[KeyFileSetting];
        if (string.IsNullOrEmpty(keyFile) || await db.Teams.AnyAsync(ct))
        {
            return;
        }

        var now = time.GetUtcNow();
        var team = new Team { Name = "admin", IsAdmin = true, CreatedAt = now };
        var token = ApiKeyToken.Generate();
        db.Teams.Add(team);
        db.ApiKeys.Add(new ApiKey
        {
            TeamId = team.Id, Name = "bootstrap", Prefix = token.Prefix, SecretHash = token.SecretHash(), CreatedAt = now,
            Scopes = [.. Permissions.All],
        });
        await db.SaveChangesAsync(ct);

        await KeyFile.WriteAsync(keyFile, token.ToString(), ct);
        logger.LogWarning("Created the admin team. Its API key is in {KeyFile}: read it from there, once", keyFile);
    }
}
