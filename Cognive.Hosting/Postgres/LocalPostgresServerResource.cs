using Aspire.Hosting.ApplicationModel;

namespace Cognive.Hosting.Postgres;

/// <summary>PostgreSQL from the installed binaries, with the connection string Aspire's <c>AddPostgres</c> gives.</summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : LocalServerResource(name, command, workingDirectory, password), IResourceWithConnectionString
{
    internal const string UserName = "postgres";

    /// <summary>A server replaying this one's WAL (a restore, a verify) refuses to start with fewer.</summary>
    internal const int MaxConnections = 300;

    private readonly Dictionary<string, string> _databases = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Resource name → database name.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Host};Port={Port};Username={UserName};Password={PasswordParameter}");

    /// <summary>The same properties as Aspire's PostgreSQL resource, so services get the same <c>{NAME}_HOST</c>-style variables.</summary>
    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
        ConnectionProperties(databaseName: null);

    internal IEnumerable<KeyValuePair<string, ReferenceExpression>> ConnectionProperties(string? databaseName)
    {
        var path = databaseName is null ? "" : $"/{databaseName}";
        yield return new("Host", ReferenceExpression.Create($"{Host}"));
        yield return new("Port", ReferenceExpression.Create($"{Port}"));
        yield return new("Username", ReferenceExpression.Create($"{UserName}"));
        yield return new("Password", ReferenceExpression.Create($"{PasswordParameter}"));
        // Generated passwords are letters and digits: nothing to escape in a URI.
        yield return new("Uri", ReferenceExpression.Create($"postgresql://{UserName}:{PasswordParameter}@{Host}:{Port}{path}"));
        yield return new("JdbcConnectionString", ReferenceExpression.Create($"jdbc:postgresql://{Host}:{Port}{path}"));
        if (databaseName is not null)
        {
            yield return new("DatabaseName", ReferenceExpression.Create($"{databaseName}"));
        }
    }

    internal void AddDatabase(string resourceName, string databaseName) => _databases.TryAdd(resourceName, databaseName);
}
