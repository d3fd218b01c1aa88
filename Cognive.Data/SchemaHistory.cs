using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cognive.Data;

/// <summary>
/// Which migrations a database has. EF Core's own answer reads <c>__EFMigrationsHistory</c> and, on an empty database,
/// logs the failed read as an error (and PostgreSQL logs it too); this asks the catalog first, so an empty database is
/// simply one without migrations.
/// </summary>
public static class SchemaHistory
{
    /// <summary>The newest migration of this build: a database that has it has the schema the code expects.</summary>
    public static readonly string LatestMigration = typeof(SchemaHistory).Assembly.GetTypes()
        .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id).OfType<string>().Max(StringComparer.Ordinal)!;

    /// <param name="connection">An open connection.</param>
    public static async Task<IReadOnlyList<string>> AppliedAsync(DbConnection connection, CancellationToken ct)
    {
        await using var exists = connection.CreateCommand();
        exists.CommandText = """SELECT to_regclass('"__EFMigrationsHistory"') IS NOT NULL""";
        if (await exists.ExecuteScalarAsync(ct) is not true)
        {
            return [];
        }

        await using var read = connection.CreateCommand();
        read.CommandText = """SELECT "MigrationId" FROM "__EFMigrationsHistory" ORDER BY 1""";
        await using var rows = await read.ExecuteReaderAsync(ct);
        var applied = new List<string>();
        while (await rows.ReadAsync(ct))
        {
            applied.Add(rows.GetString(0));
        }

        return applied;
    }
}
