using Microsoft.EntityFrameworkCore;

namespace Cognive.Data;

/// <summary>
/// Which of its migrations a database has. EF Core's own answer reads <c>__EFMigrationsHistory</c> and, on an empty
/// database, logs the failed read as an error (and PostgreSQL logs it too); this asks the catalog first, so an empty
/// database is simply one without migrations.
/// </summary>
public static class SchemaHistory
{
    public static async Task<IReadOnlyList<string>> AppliedAsync(CogniveDbContext db, CancellationToken ct)
    {
        var exists = await db.Database
            .SqlQueryRaw<bool>("""SELECT to_regclass('"__EFMigrationsHistory"') IS NOT NULL AS "Value" """)
            .SingleAsync(ct);
        return exists
            ? await db.Database.SqlQueryRaw<string>("""SELECT "MigrationId" AS "Value" FROM "__EFMigrationsHistory" ORDER BY 1""").ToListAsync(ct)
            : [];
    }
}
