using Npgsql;

namespace Cognive.Data;

/// <summary>
/// Npgsql's automatic preparation: a statement a connection has run <see cref="MinUsages"/> times is prepared on it, so
/// PostgreSQL stops parsing and planning it on every call. The hot paths' statements are long (the memory write's upsert
/// with its size CTE, the lease with its aged-priority order) and run thousands of times a second.
/// </summary>
public static class PreparedStatements
{
    /// <summary>Statements kept prepared per connection; the least used ones make room for new ones.</summary>
    private const int MaxPerConnection = 64;
    private const int MinUsages = 3;

    public static NpgsqlDataSourceBuilder PrepareHotStatements(this NpgsqlDataSourceBuilder dataSource)
    {
        dataSource.ConnectionStringBuilder.MaxAutoPrepare = MaxPerConnection;
        dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = MinUsages;
        return dataSource;
    }
}
