using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cognive.Hosting.Postgres;

public static class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Healthy means writable. A server restored from a backup replays the archived WAL first and answers read-only
    /// meanwhile, which <c>SELECT 1</c> would call healthy (the drill saw CREATE DATABASE refused "in a read-only
    /// transaction"); this function fails until recovery has ended, and changes nothing.
    /// </summary>
    private const string WritableQuery = "SELECT pg_current_wal_lsn()";

    /// <summary>
    /// PostgreSQL from the installed binaries, data in <c>{state}/postgres/data</c>. A <c>{name}-init</c> resource
    /// runs initdb on the first run; the server waits for it to finish. WAL is archived and backed up with pgBackRest
    /// (<see cref="LocalPostgresBackups"/>) unless <c>Cognive:Backups:Enabled=false</c>.
    /// </summary>
    /// <param name="proxyClients">Whether clients reach the server through DCP's proxy; direct is faster.</param>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, StateFolder state, bool proxyClients = false)
    {
        var binaries = InstalledServer.Locate(builder.Configuration, "Postgres", "postgres",
            InstalledServer.DebianPostgresFolders(), "postgresql");
        var binFolder = Path.GetDirectoryName(binaries)!;
        var dataFolder = state.Combine("postgres", "data");

        var passwordValue = state.GetOrCreatePassword($"{name}-password");
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);

        // initdb reads the superuser password from a file (never the environment, which the dashboard shows).
        var passwordFile = state.Combine("postgres-initdb-password");
        SecretFile.Write(passwordFile, passwordValue);
        var init = builder.AddExecutable($"{name}-init", "bash", state.Path,
            Path.Combine(AppContext.BaseDirectory, "scripts", "postgres-init.sh"), Path.Combine(binFolder, "initdb"), dataFolder, passwordFile);

        var (command, runAsArgs) = ServiceAccount.RunAs("postgres", binaries);
        // Through postgres-run.sh, which keeps only the server's own faults on stderr (Aspire shows stderr as errors).
        var server = new LocalPostgresServerResource(name, "bash", state.Path, password.Resource);

        var connectionString = KnownConnectionString.Capture(builder, server);
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, (e, ct) =>
            CreateDatabasesAsync(server, connectionString.Value, e.Services, ct));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString.Value + ";Database=postgres",
            WritableQuery,
            name: healthCheckKey);

        return builder.AddResource(server)
            .WithArgs(Path.Combine(AppContext.BaseDirectory, "scripts", "postgres-run.sh"), command)
            .WithArgs(runAsArgs)
            .WithArgs("-D", dataFolder,
                "-c", "log_line_prefix=%m [%p] %b ",
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=",
                "-c", $"max_connections={LocalPostgresServerResource.MaxConnections}")
            .WithEndpoint(name: LocalPostgresServerResource.PrimaryEndpointName, scheme: "tcp", env: "PGPORT", isProxied: proxyClients)
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey)
            .WaitForCompletion(init)
            .WithBackups(init, state, binFolder, dataFolder);
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.AddDatabase(name, database.DatabaseName);

        var connectionString = KnownConnectionString.Capture(server.ApplicationBuilder, database);

        var healthCheckKey = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString.Value,
            WritableQuery,
            name: healthCheckKey);

        return server.ApplicationBuilder.AddResource(database).WithHealthCheck(healthCheckKey).WithParentState();
    }

    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, string connectionString,
        IServiceProvider services, CancellationToken ct)
    {
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
        await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
        await connection.OpenAsync(ct);

        foreach (var databaseName in server.Databases.Values)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE {new NpgsqlCommandBuilder().QuoteIdentifier(databaseName)}";
            try
            {
                await command.ExecuteNonQueryAsync(ct);
                logger.LogInformation("Created database {Database}", databaseName);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                logger.LogDebug("Database {Database} exists", databaseName);
            }
        }
    }
}
